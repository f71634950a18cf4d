import type { GatewayModel } from '../../generated/GatewayModel'
import type { GatewayStatus } from '../../generated/GatewayStatus'
import type { RequestRecord } from '../../generated/RequestRecord'

/** A request through `/v1` as the gateway records it; `patch` changes what a test is about. */
export function requestRecord(patch: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: 'r1', received_at: 1_000_000, model: 'qwen', model_id: 'm1', model_name: 'qwen', client: '127.0.0.1', endpoint: '/chat/completions',
    streamed: true, status: 200, outcome: 'ok', start_wait_ms: 0, queue_ms: 0, ttft_ms: 120, e2el_ms: 1120, tpot_ms: 10,
    prompt_tokens: 12, completion_tokens: 101, tokens_counted: false, ...patch,
  }
}

/** A model as the gateway serves it. */
export function gatewayModel(patch: Partial<GatewayModel> = {}): GatewayModel {
  return {
    name: 'qwen', aliases: ['Qwen', 'm1'], model_id: 'm1', display_name: 'Qwen', engine: 'llama_cpp', state: 'stopped',
    started_by_gateway: false, in_flight: 0, queued: 0, concurrency: 4,
    settings: { idle_ttl_secs: 600, aliases: [], queue_limit: 64, pinned: false, log_bodies: false }, ...patch,
  }
}

/** The gateway's status as `llmops serve` on loopback answers it (no LAN, no switch). */
export function gatewayStatus(patch: Partial<GatewayStatus> = {}): GatewayStatus {
  return {
    addresses: ['http://127.0.0.1:8765/v1'], lan: { enabled: false, switchable: false }, models: [gatewayModel()], settings: { retention_days: 14 },
    ...patch,
  }
}
