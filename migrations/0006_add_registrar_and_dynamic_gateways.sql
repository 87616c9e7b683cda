CREATE TABLE `registrations` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`gateway_id` text NOT NULL,
	`aor` text NOT NULL,
	`contact` text NOT NULL,
	`q` real,
	`expires_at_ms` integer NOT NULL,
	`call_id` text NOT NULL,
	`cseq` integer NOT NULL,
	`user_agent` text,
	`source_ip` text NOT NULL,
	`source_port` integer NOT NULL,
	`transport` text NOT NULL,
	`node_id` text NOT NULL,
	`registered_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `registrations_kind_gateway_id_contact_idx` ON `registrations` (`kind`,`gateway_id`,`contact`);--> statement-breakpoint
CREATE INDEX `registrations_expires_at_ms_idx` ON `registrations` (`expires_at_ms`);--> statement-breakpoint
ALTER TABLE `mapping_gateways` ADD `dynamic` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `routing_gateways` ADD `dynamic` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `routing_gateways` ADD `username` text;--> statement-breakpoint
ALTER TABLE `routing_gateways` ADD `digest_realm` text;--> statement-breakpoint
ALTER TABLE `routing_gateways` ADD `ha1_md5` text;--> statement-breakpoint
ALTER TABLE `routing_gateways` ADD `ha1_sha256` text;--> statement-breakpoint
CREATE UNIQUE INDEX `routing_gateways_username_idx` ON `routing_gateways` (`username`);