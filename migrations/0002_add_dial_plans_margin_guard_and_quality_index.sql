ALTER TABLE `mapping_gateways` ADD `callee_rules` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `mapping_gateways` ADD `caller_rules` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `mapping_gateways` ADD `allow_loss_routes` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `routing_gateways` ADD `callee_rules` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `routing_gateways` ADD `caller_rules` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `routing_gateways` ADD `caller_id` text DEFAULT '{"presentation":"pass","privacy":"pass","assertedIdentity":false}' NOT NULL;--> statement-breakpoint
ALTER TABLE `routing_gateways` ADD `allow_loss_routes` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `cdrs_ended_at_ms_idx` ON `cdrs` (`ended_at_ms`);