// A time-series chart (uPlot on a canvas) that follows its container's width and redraws when its data changes.
import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

/** One line of a chart. */
export interface Series {
  label: string
  color: string
  values: (number | null)[]
  /** Axis label and scale key, so lines of different units share a chart (e.g. % and s). */
  scale?: string
}

/** Props of Chart: x values in epoch seconds, the series, height in px. */
export interface ChartProps {
  title: string
  x: number[]
  series: Series[]
  height?: number
  testId?: string
}

/** A line chart with a time axis; empty buckets are gaps. */
export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const height = props.height ?? 180
  const scales = [...new Set(props.series.map((s) => s.scale ?? ''))]
  const shape = `${props.series.map((s) => s.label).join('|')}`

  useEffect(() => {
    const el = box.current
    if (el === null) return
    const axisColor = getComputedStyle(el).color
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      series: [{}, ...props.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, scale: s.scale ?? 'y', spanGaps: false, points: { show: false } }))],
      axes: [
        { stroke: axisColor, grid: { stroke: 'rgba(128,128,128,0.2)' } },
        ...scales.map((scale, i) => ({ scale: scale || 'y', side: i === 0 ? 3 : 1, stroke: axisColor, grid: { show: i === 0, stroke: 'rgba(128,128,128,0.2)' }, label: scale || undefined })),
      ],
    }
    plot.current = new uPlot(opts, [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData, el)
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height }))
    resize.observe(el)
    return () => {
      resize.disconnect()
      plot.current?.destroy()
      plot.current = null
    }
    // The chart is rebuilt only when its lines change; new data goes through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, height])

  useEffect(() => {
    plot.current?.setData([props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData)
  }, [props.x, props.series])

  return (
    <figure class="chart" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      <div ref={box} class="chart-box" />
    </figure>
  )
}
