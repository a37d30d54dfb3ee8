/**
 * In-process notifications between parts of the console (e.g. the analytics part sends admin
 * alerts on gateway status changes and failed deployments).
 */
import { EventEmitter } from 'node:events';

export interface ConsoleEvents {
  gatewayStatus: [{ tenantId: string; gatewayId: string; name: string; status: 'online' | 'offline'; at: number }];
  deploymentResult: [{ tenantId: string; gatewayId: string; name: string; version: number; ok: boolean; error?: string | undefined }];
}

export class ConsoleEventBus extends EventEmitter<ConsoleEvents> {}
