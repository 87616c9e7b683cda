CREATE TABLE `ip_access_list` (
	`id` text PRIMARY KEY NOT NULL,
	`list` text NOT NULL,
	`cidr` text NOT NULL,
	`reason` text NOT NULL,
	`origin` text NOT NULL,
	`note` text,
	`offences` integer NOT NULL,
	`expires_at_ms` integer,
	`node_id` text,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ip_access_list_list_cidr_idx` ON `ip_access_list` (`list`,`cidr`);--> statement-breakpoint
CREATE INDEX `ip_access_list_expires_at_ms_idx` ON `ip_access_list` (`expires_at_ms`);--> statement-breakpoint
ALTER TABLE `accounts` ADD `cps_limit` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `accounts` ADD `cps_burst` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `accounts` ADD `max_concurrent_calls` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `accounts` ADD `daily_spend_limit` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `accounts` ADD `allowed_prefixes` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `accounts` ADD `blocked_prefixes` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `mapping_gateways` ADD `cps_limit` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `mapping_gateways` ADD `cps_burst` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `routing_gateways` ADD `cps_limit` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `routing_gateways` ADD `cps_burst` integer DEFAULT 0 NOT NULL;