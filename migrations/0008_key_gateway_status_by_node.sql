PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_gateway_status` (
	`kind` text NOT NULL,
	`gateway_id` text NOT NULL,
	`online` integer NOT NULL,
	`last_check_at_ms` integer,
	`rtt_ms` integer,
	`loss_ratio` real,
	`last_code` integer,
	`current_calls` integer NOT NULL,
	`calls_per_sec` real NOT NULL,
	`node_id` text NOT NULL,
	`updated_at_ms` integer NOT NULL,
	PRIMARY KEY(`kind`, `gateway_id`, `node_id`)
);
--> statement-breakpoint
INSERT INTO `__new_gateway_status`("kind", "gateway_id", "online", "last_check_at_ms", "rtt_ms", "loss_ratio", "last_code", "current_calls", "calls_per_sec", "node_id", "updated_at_ms") SELECT "kind", "gateway_id", "online", "last_check_at_ms", "rtt_ms", "loss_ratio", "last_code", "current_calls", "calls_per_sec", "node_id", "updated_at_ms" FROM `gateway_status`;--> statement-breakpoint
DROP TABLE `gateway_status`;--> statement-breakpoint
ALTER TABLE `__new_gateway_status` RENAME TO `gateway_status`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `gateway_status_node_id_idx` ON `gateway_status` (`node_id`);