import type { Download } from '../../generated/Download'
import type { FitEstimate } from '../../generated/FitEstimate'
import type { FitReport } from '../../generated/FitReport'
import type { GgufSummary } from '../../generated/GgufSummary'
import type { HubFitReport } from '../../generated/HubFitReport'
import type { HubModel } from '../../generated/HubModel'
import type { HubRepo } from '../../generated/HubRepo'
import type { HubSettingsView } from '../../generated/HubSettingsView'
import type { LocalModel } from '../../generated/LocalModel'
import type { LocalModels } from '../../generated/LocalModels'
import type { OllamaModel } from '../../generated/OllamaModel'
import type { OllamaStatus } from '../../generated/OllamaStatus'

const MiB = 1024 * 1024

export const REPO = 'HuggingFaceTB/SmolLM2-135M-Instruct-GGUF'
export const COMMIT = '4bd7fd16fd4c0e4b2a1c1d3e9d7a0f2b3c4d5e6f'
/** A repository as ModelScope lists it: pinned to a revision's name, without licence or access information. */
export const MS_REPO = 'llmops-test/SmolLM2-135M-Instruct-GGUF'

/** A search result. */
export function hubModel(patch: Partial<HubModel> = {}): HubModel {
  return { id: REPO, downloads: 123_456, likes: 42, gated: null, last_modified: '2025-01-01T00:00:00.000Z', pipeline_tag: 'text-generation', ...patch }
}

/** A repository with two quants, a split one and a projector (in the server's order: by size, projector last). */
export function hubRepo(patch: Partial<HubRepo> = {}): HubRepo {
  return {
    id: REPO,
    commit: COMMIT,
    gated: null,
    license: 'apache-2.0',
    downloads: 123_456,
    files: [
      { path: 'README.md', size: 2048, sha256: null, oid: 'abc' },
      { path: 'smollm2-135m-instruct-q4_1.gguf', size: 98 * MiB, sha256: 'a'.repeat(64), oid: null },
      { path: 'smollm2-135m-instruct-q8_0.gguf', size: 145 * MiB, sha256: 'b'.repeat(64), oid: null },
    ],
    quants: [
      { label: 'Q4_1', files: ['smollm2-135m-instruct-q4_1.gguf'], size: 98 * MiB, projector: false },
      { label: 'Q8_0', files: ['Q8_0/smollm2-00001-of-00002.gguf', 'Q8_0/smollm2-00002-of-00002.gguf'], size: 145 * MiB, projector: false },
      { label: 'F16', files: ['mmproj-smollm2-f16.gguf'], size: 20 * MiB, projector: true },
    ],
    ...patch,
  }
}

export function gguf(patch: Partial<GgufSummary> = {}): GgufSummary {
  return {
    architecture: 'llama', name: 'SmolLM2 135M Instruct', quantization: 'Q4_1', parameter_count: 134_515_008, context_length: 8192,
    block_count: 30, has_chat_template: true, split_count: null, ...patch,
  }
}

export function fitEstimate(patch: Partial<FitEstimate> = {}): FitEstimate {
  return {
    verdict: { kind: 'full_gpu' }, context_size: 8192, weights_bytes: 98 * MiB, kv_cache_bytes: 180 * MiB, compute_bytes: 64 * MiB,
    overhead_bytes: 16 * MiB, total_bytes: 358 * MiB, suggestions: [], ...patch,
  }
}

export function hubFitReport(patch: Partial<HubFitReport> = {}): HubFitReport {
  return {
    repo: REPO, commit: COMMIT, file: 'smollm2-135m-instruct-q4_1.gguf', gguf: gguf(), header_bytes_read: 256 * 1024,
    resources: { gpu_free_bytes: [8 * 1024 * MiB], ram_available_bytes: 16 * 1024 * MiB }, estimate: fitEstimate(), ...patch,
  }
}

export function download(patch: Partial<Download> = {}): Download {
  return {
    id: 'd1', source: 'hugging_face', repo: REPO, revision: 'main', commit: COMMIT, endpoint: 'https://huggingface.co',
    files: [{ path: 'smollm2-135m-instruct-q4_1.gguf', size: 100 * MiB, sha256: 'a'.repeat(64), done_bytes: 25 * MiB, complete: false }],
    state: 'downloading', total_bytes: 100 * MiB, done_bytes: 25 * MiB, rate_bytes_per_second: 5 * MiB, eta_seconds: 15, error: null,
    local_path: null, created_at: 1_700_000_000_000, ...patch,
  }
}

export const LOCAL_PATH = `/home/me/.cache/huggingface/hub/models--HuggingFaceTB--SmolLM2-135M-Instruct-GGUF/snapshots/${COMMIT}/smollm2-135m-instruct-q4_1.gguf`

export function localModel(patch: Partial<LocalModel> = {}, found: Partial<LocalModel['found']> = {}): LocalModel {
  return {
    found: {
      path: LOCAL_PATH, source: 'hugging_face', repo: REPO, file: 'smollm2-135m-instruct-q4_1.gguf', size_bytes: 98 * MiB, shards: 1,
      projector: false, modified_ms: 1_700_000_000_000, ...found,
    },
    owner: null, gguf: gguf(), problem: null, model_ids: [], ...patch,
  }
}

export function localModels(models: LocalModel[] = [localModel()]): LocalModels {
  return {
    models,
    roots: [
      { source: 'hugging_face', path: '/home/me/.cache/huggingface/hub', exists: true },
      { source: 'ollama', path: '/home/me/.ollama/models', exists: false },
    ],
    scan_ms: 12,
  }
}

export function fitReport(patch: Partial<FitReport> = {}): FitReport {
  return {
    path: LOCAL_PATH, gguf: gguf(), resources: { gpu_free_bytes: [8 * 1024 * MiB], ram_available_bytes: 16 * 1024 * MiB }, estimate: fitEstimate(),
    engine: {
      fits: true, arguments: '-c 8192 -ngl -1', context_size: 8192, gpu_layers: -1,
      devices: [
        { device: 'CUDA0', model_mib: 98, context_mib: 180, compute_mib: 64 },
        { device: 'Host', model_mib: 10, context_mib: 0, compute_mib: 4 },
      ],
      command: 'llama-fit-params -m smollm2-135m-instruct-q4_1.gguf', detail: null,
    },
    engine_problem: null, measured: null, ...patch,
  }
}

export function settingsView(patch: Partial<HubSettingsView> = {}): HubSettingsView {
  return {
    settings: { send_token_to_mirror: false, max_parallel_downloads: 2 }, endpoint: 'https://huggingface.co', endpoint_source: 'default',
    token_source: null, token_sent: false, cache_dir: '/home/me/.cache/huggingface/hub', modelscope_endpoint: 'https://www.modelscope.cn',
    modelscope_cache_dir: '/home/me/.cache/modelscope/hub', ...patch,
  }
}

export const OLLAMA_URL = 'http://127.0.0.1:11434'

/** A model as Ollama lists it (`/api/tags`). */
export function ollamaModel(patch: Partial<OllamaModel> = {}): OllamaModel {
  return {
    name: 'qwen2.5:7b', size: 4_683_087_332, digest: 'sha256:' + 'c'.repeat(64), modified_at: '2025-05-01T12:34:56.123456789+02:00',
    family: 'qwen2', parameter_size: '7.6B', quantization_level: 'Q4_K_M', ...patch,
  }
}

/** A running Ollama with two models, one of them loaded half on the GPU. */
export function ollamaStatus(patch: Partial<OllamaStatus> = {}): OllamaStatus {
  return {
    base_url: OLLAMA_URL, reachable: true, version: '0.6.2',
    models: [ollamaModel(), ollamaModel({ name: 'llama3.2:3b', size: 2 * 1024 * MiB, family: 'llama', parameter_size: '3.2B', modified_at: null })],
    loaded: [{ name: 'qwen2.5:7b', size: 6 * 1024 * MiB, size_vram: 3 * 1024 * MiB, expires_at: '2318-01-01T00:00:00Z' }],
    problem: null, ...patch,
  }
}

/** An Ollama that does not answer, as the core says it. */
export function ollamaDown(): OllamaStatus {
  return {
    base_url: OLLAMA_URL, reachable: false, version: null, models: [], loaded: [],
    problem: `no Ollama answers at ${OLLAMA_URL} (connection refused); start it (\`ollama serve\`) or set OLLAMA_HOST`,
  }
}

/** A pull, as the downloads list follows it: no files nor commit, Ollama's address. */
export function ollamaPull(patch: Partial<Download> = {}): Download {
  return download({
    id: 'p1', source: 'ollama', repo: 'llama3.2:3b', revision: '', commit: '', endpoint: OLLAMA_URL, files: [], state: 'queued', total_bytes: 0,
    done_bytes: 0, rate_bytes_per_second: null, eta_seconds: null, ...patch,
  })
}
