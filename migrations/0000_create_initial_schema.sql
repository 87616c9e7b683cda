CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`balance` real NOT NULL,
	`overdraft_limit` real NOT NULL,
	`max_call_duration_sec` integer NOT NULL,
	`rate_table_id` text,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL,
	FOREIGN KEY (`rate_table_id`) REFERENCES `rate_tables`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_name_idx` ON `accounts` (`name`);--> statement-breakpoint
CREATE INDEX `accounts_rate_table_id_idx` ON `accounts` (`rate_table_id`);--> statement-breakpoint
CREATE TABLE `alert_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`alert_id` text NOT NULL,
	`webhook_id` text NOT NULL,
	`type` text NOT NULL,
	`body` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`last_attempt_at_ms` integer,
	`next_attempt_at_ms` integer,
	`last_status_code` integer,
	`last_error` text,
	`created_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `alert_deliveries_status_next_attempt_at_ms_idx` ON `alert_deliveries` (`status`,`next_attempt_at_ms`);--> statement-breakpoint
CREATE INDEX `alert_deliveries_alert_id_idx` ON `alert_deliveries` (`alert_id`);--> statement-breakpoint
CREATE TABLE `alert_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`scope` text NOT NULL,
	`metric` text NOT NULL,
	`reason` text,
	`sip_code` integer,
	`window_sec` integer NOT NULL,
	`threshold` real NOT NULL,
	`min_attempts` integer NOT NULL,
	`severity` text NOT NULL,
	`cooldown_sec` integer NOT NULL,
	`enabled` integer NOT NULL,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alert_rules_name_idx` ON `alert_rules` (`name`);--> statement-breakpoint
CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`rule_id` text NOT NULL,
	`state` text NOT NULL,
	`value` real NOT NULL,
	`fired_at_ms` integer NOT NULL,
	`resolved_at_ms` integer,
	`last_notified_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `alerts_rule_id_state_idx` ON `alerts` (`rule_id`,`state`);--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`secret_hash` text NOT NULL,
	`secret_prefix` text NOT NULL,
	`created_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_name_idx` ON `api_keys` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_secret_hash_idx` ON `api_keys` (`secret_hash`);--> statement-breakpoint
CREATE TABLE `billed_cdrs` (
	`cdr_id` text PRIMARY KEY NOT NULL,
	`account_id` text,
	`amount` real NOT NULL,
	`vendor_account_id` text,
	`vendor_amount` real NOT NULL,
	`applied_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `cdrs` (
	`id` text PRIMARY KEY NOT NULL,
	`call_id` text NOT NULL,
	`started_at_ms` integer NOT NULL,
	`answered_at_ms` integer,
	`ended_at_ms` integer NOT NULL,
	`duration_sec` integer NOT NULL,
	`pdd_ms` integer,
	`caller` text NOT NULL,
	`callee` text NOT NULL,
	`callee_out` text,
	`account_id` text,
	`mapping_gateway_id` text,
	`routing_gateway_id` text,
	`termination_reason` text NOT NULL,
	`sip_code` integer,
	`ended_by` text NOT NULL,
	`attempts` text NOT NULL,
	`cost` real,
	`vendor_cost` real,
	`source_ip` text NOT NULL,
	`source_port` integer NOT NULL,
	`node_id` text NOT NULL,
	`warning_played` integer NOT NULL,
	`rtp_packets_from_caller` integer,
	`rtp_bytes_from_caller` integer,
	`rtp_packets_from_callee` integer,
	`rtp_bytes_from_callee` integer,
	`notes` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `cdrs_started_at_ms_id_idx` ON `cdrs` (`started_at_ms`,`id`);--> statement-breakpoint
CREATE INDEX `cdrs_account_id_started_at_ms_id_idx` ON `cdrs` (`account_id`,`started_at_ms`,`id`);--> statement-breakpoint
CREATE INDEX `cdrs_mapping_gateway_id_started_at_ms_id_idx` ON `cdrs` (`mapping_gateway_id`,`started_at_ms`,`id`);--> statement-breakpoint
CREATE INDEX `cdrs_routing_gateway_id_started_at_ms_id_idx` ON `cdrs` (`routing_gateway_id`,`started_at_ms`,`id`);--> statement-breakpoint
CREATE INDEX `cdrs_termination_reason_started_at_ms_id_idx` ON `cdrs` (`termination_reason`,`started_at_ms`,`id`);--> statement-breakpoint
CREATE INDEX `cdrs_sip_code_started_at_ms_id_idx` ON `cdrs` (`sip_code`,`started_at_ms`,`id`);--> statement-breakpoint
CREATE INDEX `cdrs_callee_started_at_ms_idx` ON `cdrs` (`callee`,`started_at_ms`);--> statement-breakpoint
CREATE INDEX `cdrs_caller_started_at_ms_idx` ON `cdrs` (`caller`,`started_at_ms`);--> statement-breakpoint
CREATE INDEX `cdrs_call_id_idx` ON `cdrs` (`call_id`);--> statement-breakpoint
CREATE TABLE `config_version` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`updated_at_ms` integer NOT NULL,
	CONSTRAINT "config_version_single_row_chk" CHECK("config_version"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE `gateway_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`line_limit` integer NOT NULL,
	`reserved_lines` text NOT NULL,
	`calendar` text NOT NULL,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `gateway_groups_name_idx` ON `gateway_groups` (`name`);--> statement-breakpoint
CREATE TABLE `gateway_status` (
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
	PRIMARY KEY(`kind`, `gateway_id`)
);
--> statement-breakpoint
CREATE INDEX `gateway_status_node_id_idx` ON `gateway_status` (`node_id`);--> statement-breakpoint
CREATE TABLE `job_leases` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`acquired_at_ms` integer NOT NULL,
	`expires_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `mapping_gateways` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`account_id` text NOT NULL,
	`auth_mode` text NOT NULL,
	`ips` text NOT NULL,
	`port` integer,
	`username` text,
	`digest_realm` text,
	`ha1_md5` text,
	`ha1_sha256` text,
	`line_limit` integer NOT NULL,
	`lock_type` text NOT NULL,
	`media_proxy` integer NOT NULL,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mapping_gateways_name_idx` ON `mapping_gateways` (`name`);--> statement-breakpoint
CREATE INDEX `mapping_gateways_account_id_idx` ON `mapping_gateways` (`account_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `mapping_gateways_username_idx` ON `mapping_gateways` (`username`);--> statement-breakpoint
CREATE TABLE `network_tests` (
	`id` text PRIMARY KEY NOT NULL,
	`routing_gateway_id` text NOT NULL,
	`host` text NOT NULL,
	`port` integer NOT NULL,
	`count` integer NOT NULL,
	`interval_ms` integer NOT NULL,
	`status` text NOT NULL,
	`node_id` text,
	`requested_at_ms` integer NOT NULL,
	`started_at_ms` integer,
	`completed_at_ms` integer,
	`sent` integer,
	`received` integer,
	`loss_ratio` real,
	`rtt_min_ms` integer,
	`rtt_avg_ms` integer,
	`rtt_max_ms` integer,
	`last_code` integer,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `network_tests_status_requested_at_ms_idx` ON `network_tests` (`status`,`requested_at_ms`);--> statement-breakpoint
CREATE TABLE `payments` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`amount` real NOT NULL,
	`note` text NOT NULL,
	`balance_after` real NOT NULL,
	`created_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `payments_account_id_created_at_ms_idx` ON `payments` (`account_id`,`created_at_ms`);--> statement-breakpoint
CREATE TABLE `rate_tables` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rate_tables_name_idx` ON `rate_tables` (`name`);--> statement-breakpoint
CREATE TABLE `rates` (
	`id` text PRIMARY KEY NOT NULL,
	`rate_table_id` text NOT NULL,
	`prefix` text NOT NULL,
	`price_per_minute` real NOT NULL,
	`first_increment_sec` integer NOT NULL,
	`next_increment_sec` integer NOT NULL,
	`effective_from_ms` integer NOT NULL,
	FOREIGN KEY (`rate_table_id`) REFERENCES `rate_tables`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rates_rate_table_id_prefix_effective_from_ms_idx` ON `rates` (`rate_table_id`,`prefix`,`effective_from_ms`);--> statement-breakpoint
CREATE TABLE `routing_gateways` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`host` text NOT NULL,
	`port` integer NOT NULL,
	`transport` text NOT NULL,
	`prefixes` text NOT NULL,
	`prefix_mode` text NOT NULL,
	`priority` integer NOT NULL,
	`line_limit` integer NOT NULL,
	`lock_type` text NOT NULL,
	`switch_until_connect` integer NOT NULL,
	`stop_switching_codes` text NOT NULL,
	`protect_route` integer NOT NULL,
	`options_check` integer NOT NULL,
	`mapping_gateway_rule` text,
	`group_id` text,
	`clearing_account_id` text,
	`callee_rewrite` text NOT NULL,
	`caller_rewrite` text NOT NULL,
	`media_proxy` integer NOT NULL,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL,
	FOREIGN KEY (`group_id`) REFERENCES `gateway_groups`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`clearing_account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `routing_gateways_name_idx` ON `routing_gateways` (`name`);--> statement-breakpoint
CREATE INDEX `routing_gateways_group_id_idx` ON `routing_gateways` (`group_id`);--> statement-breakpoint
CREATE INDEX `routing_gateways_clearing_account_id_idx` ON `routing_gateways` (`clearing_account_id`);--> statement-breakpoint
CREATE TABLE `system_parameters` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `webhooks` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`secret` text NOT NULL,
	`enabled` integer NOT NULL,
	`severities` text NOT NULL,
	`rule_ids` text NOT NULL,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhooks_name_idx` ON `webhooks` (`name`);