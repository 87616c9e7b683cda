CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`at_ms` integer NOT NULL,
	`key_id` text NOT NULL,
	`key_name` text NOT NULL,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`operation` text NOT NULL,
	`resource` text NOT NULL,
	`resource_id` text,
	`action` text NOT NULL,
	`before` text,
	`after` text,
	`request_id` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_resource_resource_id_id_idx` ON `audit_log` (`resource`,`resource_id`,`id`);--> statement-breakpoint
CREATE INDEX `audit_log_key_id_id_idx` ON `audit_log` (`key_id`,`id`);--> statement-breakpoint
CREATE TABLE `call_hangups` (
	`id` text PRIMARY KEY NOT NULL,
	`call_id` text NOT NULL,
	`node_id` text NOT NULL,
	`status` text NOT NULL,
	`requested_at_ms` integer NOT NULL,
	`requested_by_key_id` text NOT NULL,
	`completed_at_ms` integer,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `call_hangups_node_id_status_idx` ON `call_hangups` (`node_id`,`status`);--> statement-breakpoint
CREATE INDEX `call_hangups_call_id_idx` ON `call_hangups` (`call_id`);--> statement-breakpoint
CREATE TABLE `console_sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`key_id` text NOT NULL,
	`csrf_token` text NOT NULL,
	`created_at_ms` integer NOT NULL,
	`expires_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `console_sessions_key_id_idx` ON `console_sessions` (`key_id`);--> statement-breakpoint
CREATE INDEX `console_sessions_expires_at_ms_idx` ON `console_sessions` (`expires_at_ms`);--> statement-breakpoint
CREATE TABLE `core_nodes` (
	`node_id` text PRIMARY KEY NOT NULL,
	`published_at_ms` integer NOT NULL,
	`publish_period_ms` integer NOT NULL,
	`active_calls` integer NOT NULL,
	`draining` integer NOT NULL,
	`started_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `live_calls` (
	`id` text PRIMARY KEY NOT NULL,
	`node_id` text NOT NULL,
	`call_id` text NOT NULL,
	`state` text NOT NULL,
	`caller` text NOT NULL,
	`callee` text NOT NULL,
	`callee_out` text,
	`account_id` text NOT NULL,
	`mapping_gateway_id` text NOT NULL,
	`routing_gateway_id` text,
	`started_at_ms` integer NOT NULL,
	`answered_at_ms` integer,
	`attempts` integer NOT NULL,
	`media` text,
	`updated_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `live_calls_node_id_idx` ON `live_calls` (`node_id`);--> statement-breakpoint
CREATE INDEX `live_calls_started_at_ms_idx` ON `live_calls` (`started_at_ms`);