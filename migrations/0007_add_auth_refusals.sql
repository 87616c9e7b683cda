CREATE TABLE `auth_refusals` (
	`bucket_ms` integer NOT NULL,
	`mapping_gateway_id` text NOT NULL,
	`source_ip` text NOT NULL,
	`reason` text NOT NULL,
	`attempts` integer NOT NULL,
	`distinct_ports` integer NOT NULL,
	`distinct_users` integer NOT NULL,
	`top_port` integer NOT NULL,
	`first_at_ms` integer NOT NULL,
	`last_at_ms` integer NOT NULL,
	PRIMARY KEY(`bucket_ms`, `mapping_gateway_id`, `source_ip`, `reason`)
);
--> statement-breakpoint
CREATE INDEX `auth_refusals_last_at_ms_idx` ON `auth_refusals` (`last_at_ms`);