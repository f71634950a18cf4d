// Generated from crates/core/src/operations/table.rs; do not edit.
// `LLMOPS_UPDATE_BINDINGS=1 cargo test -p llmops-core bindings` rewrites it.
import type { Alert } from './Alert'
import type { AlertList } from './AlertList'
import type { AlertRules } from './AlertRules'
import type { ApiKeyInfo } from './ApiKeyInfo'
import type { ApplySweep } from './ApplySweep'
import type { Benchmark } from './Benchmark'
import type { BenchmarkExport } from './BenchmarkExport'
import type { BenchmarkExportRequest } from './BenchmarkExportRequest'
import type { BenchmarkPatch } from './BenchmarkPatch'
import type { BenchmarkSpec } from './BenchmarkSpec'
import type { Caller } from './Caller'
import type { ChatDefaults } from './ChatDefaults'
import type { ChatEndpoint } from './ChatEndpoint'
import type { ChatPreset } from './ChatPreset'
import type { Conversation } from './Conversation'
import type { ConversationDetail } from './ConversationDetail'
import type { ConversationPatch } from './ConversationPatch'
import type { CreatedApiKey } from './CreatedApiKey'
import type { DeployPreset } from './DeployPreset'
import type { Download } from './Download'
import type { EngineInfo } from './EngineInfo'
import type { EngineReleases } from './EngineReleases'
import type { EngineRuntime } from './EngineRuntime'
import type { EngineRuntimes } from './EngineRuntimes'
import type { FitQuery } from './FitQuery'
import type { FitReport } from './FitReport'
import type { GatewayModel } from './GatewayModel'
import type { GatewayModelSettings } from './GatewayModelSettings'
import type { GatewaySettings } from './GatewaySettings'
import type { GatewayStatus } from './GatewayStatus'
import type { HardwareSpec } from './HardwareSpec'
import type { Health } from './Health'
import type { History } from './History'
import type { HistoryQuery } from './HistoryQuery'
import type { HubFitQuery } from './HubFitQuery'
import type { HubFitReport } from './HubFitReport'
import type { HubRepo } from './HubRepo'
import type { HubRepoQuery } from './HubRepoQuery'
import type { HubSearchPage } from './HubSearchPage'
import type { HubSearchQuery } from './HubSearchQuery'
import type { HubSettings } from './HubSettings'
import type { HubSettingsView } from './HubSettingsView'
import type { HubToken } from './HubToken'
import type { ImportReport } from './ImportReport'
import type { ImportRequest } from './ImportRequest'
import type { InstallEngineRuntime } from './InstallEngineRuntime'
import type { InstanceInfo } from './InstanceInfo'
import type { LocalFileRef } from './LocalFileRef'
import type { LocalModels } from './LocalModels'
import type { LogLine } from './LogLine'
import type { LogQuery } from './LogQuery'
import type { LoginLink } from './LoginLink'
import type { Model } from './Model'
import type { ModelDetail } from './ModelDetail'
import type { ModelEdited } from './ModelEdited'
import type { ModelFolders } from './ModelFolders'
import type { NewApiKey } from './NewApiKey'
import type { NewChatEndpoint } from './NewChatEndpoint'
import type { NewChatPreset } from './NewChatPreset'
import type { NewConversation } from './NewConversation'
import type { NewDownload } from './NewDownload'
import type { NewModel } from './NewModel'
import type { OllamaPull } from './OllamaPull'
import type { OllamaStatus } from './OllamaStatus'
import type { PinEngineRuntime } from './PinEngineRuntime'
import type { Promotion } from './Promotion'
import type { PromotionQuery } from './PromotionQuery'
import type { ReleasesSource } from './ReleasesSource'
import type { RequestQuery } from './RequestQuery'
import type { RequestRecord } from './RequestRecord'
import type { RequestSeries } from './RequestSeries'
import type { RequestSeriesQuery } from './RequestSeriesQuery'
import type { Run } from './Run'
import type { RunDetail } from './RunDetail'
import type { RunExportRequest } from './RunExportRequest'
import type { RunPatch } from './RunPatch'
import type { RunQuery } from './RunQuery'
import type { RuntimeChoice } from './RuntimeChoice'
import type { SearchHit } from './SearchHit'
import type { SearchQuery } from './SearchQuery'
import type { SecretStoreInfo } from './SecretStoreInfo'
import type { Sweep } from './Sweep'
import type { SweepExportRequest } from './SweepExportRequest'
import type { SweepSpec } from './SweepSpec'
import type { SystemSnapshot } from './SystemSnapshot'
import type { VersionChoice } from './VersionChoice'

/** Where an argument travels over HTTP; the desktop app passes every argument by name. */
export type ArgPlace = 'path' | 'query' | 'body'

/** What a successful call answers. */
export type OutputKind = 'json' | 'created' | 'empty' | 'sse' | 'ws' | 'file'

/** One operation of the table. */
export interface OperationSpec {
  /** The Tauri command and the OpenAPI operationId. */
  readonly name: string
  /** Which transports offer it. */
  readonly surface: 'both' | 'http' | 'tauri'
  /** HTTP method and path below `/api`; `null` for desktop-only operations. */
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete' | null
  readonly path: string | null
  /** The arguments in order, each with where it travels over HTTP. */
  readonly args: readonly (readonly [string, ArgPlace])[]
  readonly output: OutputKind
}

/** Sends one operation with its arguments by (Rust) name; each transport has one. */
export type OperationCall = <T>(op: OperationSpec, args: Record<string, unknown>) => Promise<T>

/** Every operation, by its client name. */
export const OPERATIONS = {
  health: { name: 'health', surface: 'both', method: 'get', path: '/health', args: [], output: 'json' },
  openapiDocument: { name: 'openapi_document', surface: 'http', method: 'get', path: '/openapi.json', args: [], output: 'json' },
  whoami: { name: 'whoami', surface: 'both', method: 'get', path: '/auth/whoami', args: [], output: 'json' },
  logout: { name: 'logout', surface: 'http', method: 'post', path: '/auth/logout', args: [], output: 'empty' },
  listApiKeys: { name: 'list_api_keys', surface: 'both', method: 'get', path: '/access/keys', args: [], output: 'json' },
  createApiKey: { name: 'create_api_key', surface: 'both', method: 'post', path: '/access/keys', args: [['key', 'body']], output: 'json' },
  revokeApiKey: { name: 'revoke_api_key', surface: 'both', method: 'delete', path: '/access/keys/{id}', args: [['id', 'path']], output: 'empty' },
  loginLink: { name: 'login_link', surface: 'both', method: 'get', path: '/access/login-link', args: [], output: 'json' },
  rotateServerToken: { name: 'rotate_server_token', surface: 'both', method: 'post', path: '/access/rotate-token', args: [], output: 'empty' },
  secretStoreInfo: { name: 'secret_store_info', surface: 'both', method: 'get', path: '/access/secrets', args: [], output: 'json' },
  systemStatus: { name: 'system_status', surface: 'both', method: 'get', path: '/system/status', args: [], output: 'json' },
  systemHistory: { name: 'system_history', surface: 'both', method: 'get', path: '/system/history', args: [['query', 'query']], output: 'json' },
  listAlerts: { name: 'list_alerts', surface: 'both', method: 'get', path: '/alerts', args: [], output: 'json' },
  getAlertRules: { name: 'get_alert_rules', surface: 'both', method: 'get', path: '/alerts/rules', args: [], output: 'json' },
  setAlertRules: { name: 'set_alert_rules', surface: 'both', method: 'put', path: '/alerts/rules', args: [['rules', 'body']], output: 'json' },
  acknowledgeAlert: { name: 'acknowledge_alert', surface: 'both', method: 'post', path: '/alerts/{id}/acknowledge', args: [['id', 'path']], output: 'json' },
  listModels: { name: 'list_models', surface: 'both', method: 'get', path: '/models', args: [], output: 'json' },
  addModel: { name: 'add_model', surface: 'both', method: 'post', path: '/models', args: [['model', 'body']], output: 'json' },
  deployModel: { name: 'deploy_model', surface: 'both', method: 'post', path: '/models/deploy', args: [['model', 'body']], output: 'json' },
  enginesInfo: { name: 'engines_info', surface: 'both', method: 'get', path: '/engines', args: [], output: 'json' },
  listEngineRuntimes: { name: 'list_engine_runtimes', surface: 'both', method: 'get', path: '/engines/runtimes', args: [], output: 'json' },
  listEngineReleases: { name: 'list_engine_releases', surface: 'both', method: 'get', path: '/engines/releases', args: [], output: 'json' },
  installEngineRuntime: { name: 'install_engine_runtime', surface: 'both', method: 'post', path: '/engines/runtimes', args: [['request', 'body']], output: 'created' },
  removeEngineRuntime: { name: 'remove_engine_runtime', surface: 'both', method: 'delete', path: '/engines/runtimes/{id}', args: [['id', 'path']], output: 'json' },
  setDefaultEngineRuntime: { name: 'set_default_engine_runtime', surface: 'both', method: 'put', path: '/engines/default', args: [['choice', 'body']], output: 'json' },
  rollBackEngineRuntime: { name: 'roll_back_engine_runtime', surface: 'both', method: 'post', path: '/engines/default/rollback', args: [], output: 'json' },
  pinEngineRuntime: { name: 'pin_engine_runtime', surface: 'both', method: 'put', path: '/engines/pins', args: [['pin', 'body']], output: 'json' },
  setEngineReleasesSource: { name: 'set_engine_releases_source', surface: 'both', method: 'put', path: '/engines/source', args: [['source', 'body']], output: 'json' },
  deployPresets: { name: 'deploy_presets', surface: 'both', method: 'get', path: '/engines/presets', args: [], output: 'json' },
  modelDetail: { name: 'model_detail', surface: 'both', method: 'get', path: '/models/{id}', args: [['id', 'path']], output: 'json' },
  updateModel: { name: 'update_model', surface: 'both', method: 'put', path: '/models/{id}', args: [['id', 'path'], ['model', 'body']], output: 'json' },
  removeModel: { name: 'remove_model', surface: 'both', method: 'delete', path: '/models/{id}', args: [['id', 'path']], output: 'empty' },
  stopModel: { name: 'stop_model', surface: 'both', method: 'post', path: '/models/{id}/stop', args: [['id', 'path']], output: 'json' },
  startModel: { name: 'start_model', surface: 'both', method: 'post', path: '/models/{id}/start', args: [['id', 'path']], output: 'json' },
  followModelLogs: { name: 'follow_model_logs', surface: 'both', method: 'get', path: '/models/{id}/logs', args: [['id', 'path']], output: 'ws' },
  listInstances: { name: 'list_instances', surface: 'both', method: 'get', path: '/instances', args: [], output: 'json' },
  getInstance: { name: 'get_instance', surface: 'both', method: 'get', path: '/instances/{id}', args: [['id', 'path']], output: 'json' },
  stopInstance: { name: 'stop_instance', surface: 'both', method: 'post', path: '/instances/{id}/stop', args: [['id', 'path']], output: 'json' },
  instanceLogs: { name: 'instance_logs', surface: 'both', method: 'get', path: '/instances/{id}/logs', args: [['id', 'path'], ['query', 'query']], output: 'json' },
  chatCompletions: { name: 'chat_completions', surface: 'http', method: 'post', path: '/chat/completions', args: [['request', 'body']], output: 'sse' },
  searchConversations: { name: 'search_conversations', surface: 'both', method: 'get', path: '/chat/search', args: [['query', 'query']], output: 'json' },
  listChatEndpoints: { name: 'list_chat_endpoints', surface: 'both', method: 'get', path: '/chat/endpoints', args: [], output: 'json' },
  addChatEndpoint: { name: 'add_chat_endpoint', surface: 'both', method: 'post', path: '/chat/endpoints', args: [['endpoint', 'body']], output: 'created' },
  removeChatEndpoint: { name: 'remove_chat_endpoint', surface: 'both', method: 'delete', path: '/chat/endpoints/{id}', args: [['id', 'path']], output: 'empty' },
  chatEndpointModels: { name: 'chat_endpoint_models', surface: 'both', method: 'get', path: '/chat/endpoints/{id}/models', args: [['id', 'path']], output: 'json' },
  getChatDefaults: { name: 'get_chat_defaults', surface: 'both', method: 'get', path: '/chat/defaults', args: [], output: 'json' },
  setChatDefaults: { name: 'set_chat_defaults', surface: 'both', method: 'put', path: '/chat/defaults', args: [['defaults', 'body']], output: 'json' },
  listChatPresets: { name: 'list_chat_presets', surface: 'both', method: 'get', path: '/chat/presets', args: [], output: 'json' },
  saveChatPreset: { name: 'save_chat_preset', surface: 'both', method: 'post', path: '/chat/presets', args: [['preset', 'body']], output: 'json' },
  deleteChatPreset: { name: 'delete_chat_preset', surface: 'both', method: 'delete', path: '/chat/presets/{id}', args: [['id', 'path']], output: 'empty' },
  listConversations: { name: 'list_conversations', surface: 'both', method: 'get', path: '/conversations', args: [], output: 'json' },
  createConversation: { name: 'create_conversation', surface: 'both', method: 'post', path: '/conversations', args: [['conversation', 'body']], output: 'created' },
  importConversations: { name: 'import_conversations', surface: 'both', method: 'post', path: '/conversations/import', args: [['request', 'body']], output: 'created' },
  getConversation: { name: 'get_conversation', surface: 'both', method: 'get', path: '/conversations/{id}', args: [['id', 'path']], output: 'json' },
  updateConversation: { name: 'update_conversation', surface: 'both', method: 'patch', path: '/conversations/{id}', args: [['id', 'path'], ['patch', 'body']], output: 'json' },
  deleteConversation: { name: 'delete_conversation', surface: 'both', method: 'delete', path: '/conversations/{id}', args: [['id', 'path']], output: 'empty' },
  deleteChatMessage: { name: 'delete_chat_message', surface: 'both', method: 'delete', path: '/conversations/{id}/messages/{message_id}', args: [['id', 'path'], ['message_id', 'path']], output: 'empty' },
  restoreChatMessage: { name: 'restore_chat_message', surface: 'both', method: 'post', path: '/conversations/{id}/messages/{message_id}/restore', args: [['id', 'path'], ['message_id', 'path']], output: 'json' },
  showAnswerVersion: { name: 'show_answer_version', surface: 'both', method: 'put', path: '/conversations/{id}/messages/{message_id}/version', args: [['id', 'path'], ['message_id', 'path'], ['choice', 'body']], output: 'json' },
  chatTurn: { name: 'chat_turn', surface: 'both', method: 'post', path: '/conversations/{id}/turns', args: [['id', 'path'], ['turn', 'body']], output: 'sse' },
  exportConversation: { name: 'export_conversation', surface: 'both', method: 'get', path: '/conversations/{id}/export', args: [['id', 'path'], ['query', 'query']], output: 'file' },
  gatewayStatus: { name: 'gateway_status', surface: 'both', method: 'get', path: '/gateway', args: [], output: 'json' },
  setGatewayModel: { name: 'set_gateway_model', surface: 'both', method: 'put', path: '/gateway/models/{id}', args: [['id', 'path'], ['settings', 'body']], output: 'json' },
  setGatewaySettings: { name: 'set_gateway_settings', surface: 'both', method: 'put', path: '/gateway/settings', args: [['settings', 'body']], output: 'json' },
  setLanServing: { name: 'set_lan_serving', surface: 'tauri', method: null, path: null, args: [['serving', 'body']], output: 'json' },
  listGatewayRequests: { name: 'list_gateway_requests', surface: 'both', method: 'get', path: '/gateway/requests', args: [['query', 'query']], output: 'json' },
  gatewayRequestSeries: { name: 'gateway_request_series', surface: 'both', method: 'get', path: '/gateway/series', args: [['query', 'query']], output: 'json' },
  listLocalModels: { name: 'list_local_models', surface: 'both', method: 'get', path: '/hub/local', args: [], output: 'json' },
  getModelFolders: { name: 'get_model_folders', surface: 'both', method: 'get', path: '/hub/folders', args: [], output: 'json' },
  setModelFolders: { name: 'set_model_folders', surface: 'both', method: 'put', path: '/hub/folders', args: [['folders', 'body']], output: 'json' },
  fitLocalModel: { name: 'fit_local_model', surface: 'both', method: 'post', path: '/hub/local/fit', args: [['query', 'body']], output: 'json' },
  deleteLocalModel: { name: 'delete_local_model', surface: 'both', method: 'post', path: '/hub/local/delete', args: [['file', 'body']], output: 'empty' },
  hubSettings: { name: 'hub_settings', surface: 'both', method: 'get', path: '/hub/settings', args: [], output: 'json' },
  setHubSettings: { name: 'set_hub_settings', surface: 'both', method: 'put', path: '/hub/settings', args: [['settings', 'body']], output: 'json' },
  setHubToken: { name: 'set_hub_token', surface: 'both', method: 'put', path: '/hub/token', args: [['token', 'body']], output: 'json' },
  searchHub: { name: 'search_hub', surface: 'both', method: 'get', path: '/hub/search', args: [['query', 'query']], output: 'json' },
  hubRepo: { name: 'hub_repo', surface: 'both', method: 'get', path: '/hub/repo', args: [['query', 'query']], output: 'json' },
  fitHubFile: { name: 'fit_hub_file', surface: 'both', method: 'post', path: '/hub/fit', args: [['query', 'body']], output: 'json' },
  listDownloads: { name: 'list_downloads', surface: 'both', method: 'get', path: '/hub/downloads', args: [], output: 'json' },
  startDownload: { name: 'start_download', surface: 'both', method: 'post', path: '/hub/downloads', args: [['download', 'body']], output: 'json' },
  pauseDownload: { name: 'pause_download', surface: 'both', method: 'post', path: '/hub/downloads/{id}/pause', args: [['id', 'path']], output: 'json' },
  resumeDownload: { name: 'resume_download', surface: 'both', method: 'post', path: '/hub/downloads/{id}/resume', args: [['id', 'path']], output: 'json' },
  cancelDownload: { name: 'cancel_download', surface: 'both', method: 'post', path: '/hub/downloads/{id}/cancel', args: [['id', 'path']], output: 'json' },
  removeDownload: { name: 'remove_download', surface: 'both', method: 'delete', path: '/hub/downloads/{id}', args: [['id', 'path']], output: 'empty' },
  ollamaStatus: { name: 'ollama_status', surface: 'both', method: 'get', path: '/hub/ollama', args: [], output: 'json' },
  pullOllamaModel: { name: 'pull_ollama_model', surface: 'both', method: 'post', path: '/hub/ollama/pull', args: [['pull', 'body']], output: 'json' },
  connectOllamaChat: { name: 'connect_ollama_chat', surface: 'both', method: 'post', path: '/hub/ollama/chat-endpoint', args: [], output: 'json' },
  listBenchmarks: { name: 'list_benchmarks', surface: 'both', method: 'get', path: '/benchmarks', args: [], output: 'json' },
  getBenchmark: { name: 'get_benchmark', surface: 'both', method: 'get', path: '/benchmarks/{id}', args: [['id', 'path']], output: 'json' },
  startBenchmark: { name: 'start_benchmark', surface: 'both', method: 'post', path: '/benchmarks', args: [['spec', 'body']], output: 'json' },
  startHardwareBenchmark: { name: 'start_hardware_benchmark', surface: 'both', method: 'post', path: '/benchmarks/hardware', args: [['spec', 'body']], output: 'json' },
  cancelBenchmark: { name: 'cancel_benchmark', surface: 'both', method: 'post', path: '/benchmarks/{id}/cancel', args: [['id', 'path']], output: 'json' },
  updateBenchmark: { name: 'update_benchmark', surface: 'both', method: 'patch', path: '/benchmarks/{id}', args: [['id', 'path'], ['patch', 'body']], output: 'json' },
  exportBenchmarks: { name: 'export_benchmarks', surface: 'both', method: 'post', path: '/benchmarks/export', args: [['request', 'body']], output: 'json' },
  saveBenchmarkExport: { name: 'save_benchmark_export', surface: 'tauri', method: null, path: null, args: [['request', 'body']], output: 'json' },
  deleteBenchmark: { name: 'delete_benchmark', surface: 'both', method: 'delete', path: '/benchmarks/{id}', args: [['id', 'path']], output: 'empty' },
  listRuns: { name: 'list_runs', surface: 'both', method: 'get', path: '/runs', args: [['query', 'query']], output: 'json' },
  getRun: { name: 'get_run', surface: 'both', method: 'get', path: '/runs/{id}', args: [['id', 'path']], output: 'json' },
  updateRun: { name: 'update_run', surface: 'both', method: 'patch', path: '/runs/{id}', args: [['id', 'path'], ['patch', 'body']], output: 'json' },
  deleteRun: { name: 'delete_run', surface: 'both', method: 'delete', path: '/runs/{id}', args: [['id', 'path']], output: 'empty' },
  exportRuns: { name: 'export_runs', surface: 'both', method: 'post', path: '/runs/export', args: [['request', 'body']], output: 'json' },
  saveRunExport: { name: 'save_run_export', surface: 'tauri', method: null, path: null, args: [['request', 'body']], output: 'json' },
  listSweeps: { name: 'list_sweeps', surface: 'both', method: 'get', path: '/sweeps', args: [], output: 'json' },
  getSweep: { name: 'get_sweep', surface: 'both', method: 'get', path: '/sweeps/{id}', args: [['id', 'path']], output: 'json' },
  startSweep: { name: 'start_sweep', surface: 'both', method: 'post', path: '/sweeps', args: [['spec', 'body']], output: 'json' },
  cancelSweep: { name: 'cancel_sweep', surface: 'both', method: 'post', path: '/sweeps/{id}/cancel', args: [['id', 'path']], output: 'json' },
  deleteSweep: { name: 'delete_sweep', surface: 'both', method: 'delete', path: '/sweeps/{id}', args: [['id', 'path']], output: 'empty' },
  applySweep: { name: 'apply_sweep', surface: 'both', method: 'post', path: '/sweeps/{id}/apply', args: [['id', 'path'], ['request', 'body']], output: 'json' },
  listPromotions: { name: 'list_promotions', surface: 'both', method: 'get', path: '/promotions', args: [['query', 'query']], output: 'json' },
  exportSweep: { name: 'export_sweep', surface: 'both', method: 'post', path: '/sweeps/export', args: [['request', 'body']], output: 'json' },
  saveSweepExport: { name: 'save_sweep_export', surface: 'tauri', method: null, path: null, args: [['request', 'body']], output: 'json' },
  events: { name: 'events', surface: 'http', method: 'get', path: '/ws', args: [], output: 'ws' },
  cancelStream: { name: 'cancel_stream', surface: 'tauri', method: null, path: null, args: [['stream_id', 'path']], output: 'empty' },
  loadPreference: { name: 'load_preference', surface: 'tauri', method: null, path: null, args: [['key', 'path']], output: 'json' },
  savePreference: { name: 'save_preference', surface: 'tauri', method: null, path: null, args: [['key', 'path'], ['value', 'path']], output: 'empty' },
  getDesktopSettings: { name: 'get_desktop_settings', surface: 'tauri', method: null, path: null, args: [], output: 'json' },
  setDesktopSettings: { name: 'set_desktop_settings', surface: 'tauri', method: null, path: null, args: [['settings', 'body']], output: 'json' },
  showNotification: { name: 'show_notification', surface: 'tauri', method: null, path: null, args: [['notification', 'body']], output: 'empty' },
} as const satisfies Record<string, OperationSpec>

/** The calls both transports answer with JSON (or nothing); each rejects with an `ApiError`. */
export interface Operations {
  /** Whether the server answers, and which build it is (the About box). */
  health(): Promise<Health>
  /** Who is calling: the scope and how the caller was recognised. */
  whoami(): Promise<Caller>
  /** The API keys, without their secrets. */
  listApiKeys(): Promise<Array<ApiKeyInfo>>
  /** Creates a key; the answer holds its secret, which is never shown again. */
  createApiKey(key: NewApiKey): Promise<CreatedApiKey>
  /** Revokes a key: requests and sessions made with it stop working. */
  revokeApiKey(id: string): Promise<void>
  /** The link (and its QR code) that logs another device in, or why there is none. */
  loginLink(): Promise<LoginLink>
  /** Replaces the server token: login links and sessions made with the old one stop working. */
  rotateServerToken(): Promise<void>
  /** Where secrets (endpoint keys, secret engine environment) are kept. */
  secretStoreInfo(): Promise<SecretStoreInfo>
  /** The latest sample of CPU, memory, disks, network, GPUs and instances. */
  systemStatus(): Promise<SystemSnapshot>
  /** Metric history over a range; only the named series when given. */
  systemHistory(query: HistoryQuery): Promise<History>
  /** Active and recent alerts. */
  listAlerts(): Promise<AlertList>
  /** The alert thresholds. */
  getAlertRules(): Promise<AlertRules>
  /** Saves the alert thresholds and answers what was saved. */
  setAlertRules(rules: AlertRules): Promise<AlertRules>
  /** Marks an active alert as seen; it stays active until its cause goes. */
  acknowledgeAlert(id: string): Promise<Alert>
  /** The models the user has configured. */
  listModels(): Promise<Array<Model>>
  /** Adds a model without starting it. */
  addModel(model: NewModel): Promise<Model>
  /** Adds a model and starts it. When the start is refused before an engine process exists, the model is removed again; once a process ran, the model stays. */
  deployModel(model: NewModel): Promise<InstanceInfo>
  /** Each engine on this machine: its binary, where it was found and its version, or what is missing. */
  enginesInfo(): Promise<Array<EngineInfo>>
  /** The engine runtimes: this computer's hardware, the installed llama.cpp builds and the models pinned to them, the default, the releases source and the fallback. */
  listEngineRuntimes(): Promise<EngineRuntimes>
  /** llama.cpp releases with builds for this computer, from the releases source, and the build llmops suggests for its hardware. */
  listEngineReleases(): Promise<EngineReleases>
  /** Starts installing a llama.cpp build: downloaded (it shows in the downloads list), verified against the release's sha256, unpacked and checked to run; `engine_runtime_update` events follow it. */
  installEngineRuntime(request: InstallEngineRuntime): Promise<EngineRuntime>
  /** Removes an installed runtime and its folder (not while a model is pinned to it or runs on it). */
  removeEngineRuntime(id: string): Promise<EngineRuntimes>
  /** Makes an installed runtime the default for llama.cpp models not pinned to one. */
  setDefaultEngineRuntime(choice: RuntimeChoice): Promise<EngineRuntimes>
  /** Makes the previous default the default again. */
  rollBackEngineRuntime(): Promise<EngineRuntimes>
  /** Pins a llama.cpp model to an installed runtime, or back to the default (`null`); it applies at the model's next start. */
  pinEngineRuntime(pin: PinEngineRuntime): Promise<EngineRuntimes>
  /** Where llama.cpp releases are listed: a mirror of GitHub's release API, or GitHub again (`null`). */
  setEngineReleasesSource(source: ReleasesSource): Promise<EngineRuntimes>
  /** Presets that pre-fill the Deploy form, per model family and engine. */
  deployPresets(): Promise<Array<DeployPreset>>
  /** A model with its instance history, newest first. */
  modelDetail(id: string): Promise<ModelDetail>
  /** Edits a model's settings, validated as when it is added. A running model keeps its settings until its next start. */
  updateModel(id: string, model: NewModel): Promise<ModelEdited>
  /** Removes a model, stopping its live instance first. */
  removeModel(id: string): Promise<void>
  /** Stops the model's live instance. */
  stopModel(id: string): Promise<InstanceInfo>
  /** Starts a model (one live instance per model). */
  startModel(id: string): Promise<InstanceInfo>
  /** Every instance this process has run. */
  listInstances(): Promise<Array<InstanceInfo>>
  /** One instance. */
  getInstance(id: string): Promise<InstanceInfo>
  /** Stops an instance. */
  stopInstance(id: string): Promise<InstanceInfo>
  /** An instance's output lines after `since` (a line number), at most `limit`. */
  instanceLogs(id: string, query: LogQuery): Promise<Array<LogLine>>
  /** Full-text search over saved conversations. */
  searchConversations(query: SearchQuery): Promise<Array<SearchHit>>
  /** OpenAI-compatible endpoints the chat can talk to. */
  listChatEndpoints(): Promise<Array<ChatEndpoint>>
  /** Adds an endpoint; its API key goes to the secret store. */
  addChatEndpoint(endpoint: NewChatEndpoint): Promise<ChatEndpoint>
  /** Removes an endpoint and its key. */
  removeChatEndpoint(id: string): Promise<void>
  /** The model names an endpoint serves (its `/models`). */
  chatEndpointModels(id: string): Promise<Array<string>>
  /** What unset conversation parameters fall back to, globally and per model. */
  getChatDefaults(): Promise<ChatDefaults>
  /** Replaces the chat defaults (a default system prompt and parameters, globally and per model); conversations that do not set a parameter use them at their next turn. */
  setChatDefaults(defaults: ChatDefaults): Promise<ChatDefaults>
  /** Saved sets of chat parameters. */
  listChatPresets(): Promise<Array<ChatPreset>>
  /** Saves a preset; one with the same name is replaced. */
  saveChatPreset(preset: NewChatPreset): Promise<ChatPreset>
  /** Deletes a preset. */
  deleteChatPreset(id: string): Promise<void>
  /** Saved conversations, pinned first, then the most recently updated. */
  listConversations(): Promise<Array<Conversation>>
  /** Starts a conversation. */
  createConversation(conversation: NewConversation): Promise<Conversation>
  /** Saves the conversations of an exported file (llmops JSON, Open WebUI or LM Studio) as new conversations. */
  importConversations(request: ImportRequest): Promise<ImportReport>
  /** A conversation with its messages. */
  getConversation(id: string): Promise<ConversationDetail>
  /** Renames, pins or re-targets a conversation, or changes its parameters. */
  updateConversation(id: string, patch: ConversationPatch): Promise<Conversation>
  /** Deletes a conversation and its messages. */
  deleteConversation(id: string): Promise<void>
  /** Deletes one message of a conversation (undoable until the next turn). */
  deleteChatMessage(id: string, messageId: string): Promise<void>
  /** Undoes a message's delete, until the conversation's next turn. */
  restoreChatMessage(id: string, messageId: string): Promise<ConversationDetail>
  /** Shows another version of an answer (regenerating keeps the earlier ones). */
  showAnswerVersion(id: string, messageId: string, choice: VersionChoice): Promise<ConversationDetail>
  /** The OpenAI-compatible gateway (`/v1`): where it is served, every model by the name clients use, its state, queue and settings. */
  gatewayStatus(): Promise<GatewayStatus>
  /** How the gateway treats a model: idle stop, aliases, concurrency, queue, group, pin, request logging. */
  setGatewayModel(id: string, settings: GatewayModelSettings): Promise<GatewayModel>
  /** Settings of the gateway as a whole (how long request records are kept). */
  setGatewaySettings(settings: GatewaySettings): Promise<GatewaySettings>
  /** Requests through `/v1`, newest first: those being answered, then finished ones. */
  listGatewayRequests(query: RequestQuery): Promise<Array<RequestRecord>>
  /** Per-model TTFT and decode speed of requests through `/v1` over time. */
  gatewayRequestSeries(query: RequestSeriesQuery): Promise<RequestSeries>
  /** GGUF models already on this computer, found in place (Hugging Face cache, LM Studio, Ollama, ModelScope, llmops, the user's folders); scans again each call. */
  listLocalModels(): Promise<LocalModels>
  /** The folders the user added to the model index. */
  getModelFolders(): Promise<ModelFolders>
  /** Replaces the folders the user added to the model index. */
  setModelFolders(folders: ModelFolders): Promise<ModelFolders>
  /** Whether an indexed model file fits this machine: llmops's estimate from its header and llama.cpp's own (`llama-fit-params`), with what would make it fit. */
  fitLocalModel(query: FitQuery): Promise<FitReport>
  /** Deletes an indexed model file (never one another application owns or a model uses). */
  deleteLocalModel(file: LocalFileRef): Promise<void>
  /** The hub settings (endpoint or mirror, token use, parallel downloads) and what they resolve to; never the token. */
  hubSettings(): Promise<HubSettingsView>
  /** Saves the hub settings. */
  setHubSettings(settings: HubSettings): Promise<HubSettingsView>
  /** Keeps a Hugging Face token in the OS keyring (`null` removes it); it is never shown again. */
  setHubToken(token: HubToken): Promise<HubSettingsView>
  /** Searches the hub for GGUF repositories, most downloaded first; one page. */
  searchHub(query: HubSearchQuery): Promise<HubSearchPage>
  /** A hub repository's files at a revision, pinned to its commit, GGUF files grouped by quantisation. */
  hubRepo(query: HubRepoQuery): Promise<HubRepo>
  /** Whether a hub GGUF file fits this machine, from its header read over HTTP Range, before downloading it. */
  fitHubFile(query: HubFitQuery): Promise<HubFitReport>
  /** Downloads, newest first. */
  listDownloads(): Promise<Array<Download>>
  /** Downloads files of a hub repository (a split set whole) into the Hugging Face cache, pinned to the revision's commit and verified by sha256. */
  startDownload(download: NewDownload): Promise<Download>
  /** Pauses a download, keeping what it has. */
  pauseDownload(id: string): Promise<Download>
  /** Resumes a paused or failed download from where it stopped. */
  resumeDownload(id: string): Promise<Download>
  /** Cancels a download and deletes its unfinished files. */
  cancelDownload(id: string): Promise<Download>
  /** Removes a finished, failed or cancelled download from the list (its files stay). */
  removeDownload(id: string): Promise<void>
  /** A running Ollama (`OLLAMA_HOST`): reachable or why not, its models, what is loaded. */
  ollamaStatus(): Promise<OllamaStatus>
  /** Asks Ollama to pull a model; its progress is followed in the downloads list. */
  pullOllamaModel(pull: OllamaPull): Promise<Download>
  /** Adds Ollama's OpenAI-compatible `/v1` as a chat endpoint (or answers the one there is). */
  connectOllamaChat(): Promise<ChatEndpoint>
  /** Benchmarks, newest first (without per-request samples). */
  listBenchmarks(): Promise<Array<Benchmark>>
  /** One benchmark with its per-request samples. */
  getBenchmark(id: string): Promise<Benchmark>
  /** Starts a load benchmark against a running model, a gateway model or an endpoint; progress and results come as `benchmark_update` events. One at a time. */
  startBenchmark(spec: BenchmarkSpec): Promise<Benchmark>
  /** Runs llama.cpp's `llama-bench` on a model's file: prompt and generation speed on this machine. */
  startHardwareBenchmark(spec: HardwareSpec): Promise<Benchmark>
  /** Cancels a running benchmark; the levels it finished are kept. */
  cancelBenchmark(id: string): Promise<Benchmark>
  /** Renames a benchmark, or sets its tags and notes. */
  updateBenchmark(id: string, patch: BenchmarkPatch): Promise<Benchmark>
  /** Benchmarks as a Markdown report, CSV (a row per load level) or JSON. */
  exportBenchmarks(request: BenchmarkExportRequest): Promise<BenchmarkExport>
  /** Deletes a finished benchmark. */
  deleteBenchmark(id: string): Promise<void>
  /** Runs (every instance lifetime), newest first, without their readings. */
  listRuns(query: RunQuery): Promise<Array<Run>>
  /** One run with its resource readings and the benchmarks measured on it. */
  getRun(id: string): Promise<RunDetail>
  /** Sets a run's tags or notes. */
  updateRun(id: string, patch: RunPatch): Promise<Run>
  /** Deletes a finished run (its benchmarks stay). */
  deleteRun(id: string): Promise<void>
  /** One run, or several compared (what differs, rollups, requests, overlaid readings), as Markdown, CSV, JSON or a self-contained HTML page. */
  exportRuns(request: RunExportRequest): Promise<BenchmarkExport>
  /** Sweeps, newest first. */
  listSweeps(): Promise<Array<Sweep>>
  /** One sweep with its configurations. */
  getSweep(id: string): Promise<Sweep>
  /** Starts a sweep: the model is restarted once per configuration and benchmarked; progress comes as `sweep_update` events. One at a time. */
  startSweep(spec: SweepSpec): Promise<Sweep>
  /** Cancels the running sweep; the configurations it measured are kept. */
  cancelSweep(id: string): Promise<Sweep>
  /** Deletes a finished sweep (its runs and benchmarks stay). */
  deleteSweep(id: string): Promise<void>
  /** Writes a sweep's configuration (the best by default) into the model's settings and records the promotion with the run and benchmark that prove it. */
  applySweep(id: string, request: ApplySweep): Promise<Promotion>
  /** Configurations promoted to models' settings, newest first: each model's registry. */
  listPromotions(query: PromotionQuery): Promise<Array<Promotion>>
  /** A sweep's report: the hardware, the method, the table, the throughput–latency scatter with its Pareto front and the best configuration. */
  exportSweep(request: SweepExportRequest): Promise<BenchmarkExport>
}

/** The typed methods over one transport's `call`. */
export function bindOperations(call: OperationCall): Operations {
  return {
    health: () => call(OPERATIONS.health, {}),
    whoami: () => call(OPERATIONS.whoami, {}),
    listApiKeys: () => call(OPERATIONS.listApiKeys, {}),
    createApiKey: (key) => call(OPERATIONS.createApiKey, { key }),
    revokeApiKey: (id) => call(OPERATIONS.revokeApiKey, { id }),
    loginLink: () => call(OPERATIONS.loginLink, {}),
    rotateServerToken: () => call(OPERATIONS.rotateServerToken, {}),
    secretStoreInfo: () => call(OPERATIONS.secretStoreInfo, {}),
    systemStatus: () => call(OPERATIONS.systemStatus, {}),
    systemHistory: (query) => call(OPERATIONS.systemHistory, { query }),
    listAlerts: () => call(OPERATIONS.listAlerts, {}),
    getAlertRules: () => call(OPERATIONS.getAlertRules, {}),
    setAlertRules: (rules) => call(OPERATIONS.setAlertRules, { rules }),
    acknowledgeAlert: (id) => call(OPERATIONS.acknowledgeAlert, { id }),
    listModels: () => call(OPERATIONS.listModels, {}),
    addModel: (model) => call(OPERATIONS.addModel, { model }),
    deployModel: (model) => call(OPERATIONS.deployModel, { model }),
    enginesInfo: () => call(OPERATIONS.enginesInfo, {}),
    listEngineRuntimes: () => call(OPERATIONS.listEngineRuntimes, {}),
    listEngineReleases: () => call(OPERATIONS.listEngineReleases, {}),
    installEngineRuntime: (request) => call(OPERATIONS.installEngineRuntime, { request }),
    removeEngineRuntime: (id) => call(OPERATIONS.removeEngineRuntime, { id }),
    setDefaultEngineRuntime: (choice) => call(OPERATIONS.setDefaultEngineRuntime, { choice }),
    rollBackEngineRuntime: () => call(OPERATIONS.rollBackEngineRuntime, {}),
    pinEngineRuntime: (pin) => call(OPERATIONS.pinEngineRuntime, { pin }),
    setEngineReleasesSource: (source) => call(OPERATIONS.setEngineReleasesSource, { source }),
    deployPresets: () => call(OPERATIONS.deployPresets, {}),
    modelDetail: (id) => call(OPERATIONS.modelDetail, { id }),
    updateModel: (id, model) => call(OPERATIONS.updateModel, { id, model }),
    removeModel: (id) => call(OPERATIONS.removeModel, { id }),
    stopModel: (id) => call(OPERATIONS.stopModel, { id }),
    startModel: (id) => call(OPERATIONS.startModel, { id }),
    listInstances: () => call(OPERATIONS.listInstances, {}),
    getInstance: (id) => call(OPERATIONS.getInstance, { id }),
    stopInstance: (id) => call(OPERATIONS.stopInstance, { id }),
    instanceLogs: (id, query) => call(OPERATIONS.instanceLogs, { id, query }),
    searchConversations: (query) => call(OPERATIONS.searchConversations, { query }),
    listChatEndpoints: () => call(OPERATIONS.listChatEndpoints, {}),
    addChatEndpoint: (endpoint) => call(OPERATIONS.addChatEndpoint, { endpoint }),
    removeChatEndpoint: (id) => call(OPERATIONS.removeChatEndpoint, { id }),
    chatEndpointModels: (id) => call(OPERATIONS.chatEndpointModels, { id }),
    getChatDefaults: () => call(OPERATIONS.getChatDefaults, {}),
    setChatDefaults: (defaults) => call(OPERATIONS.setChatDefaults, { defaults }),
    listChatPresets: () => call(OPERATIONS.listChatPresets, {}),
    saveChatPreset: (preset) => call(OPERATIONS.saveChatPreset, { preset }),
    deleteChatPreset: (id) => call(OPERATIONS.deleteChatPreset, { id }),
    listConversations: () => call(OPERATIONS.listConversations, {}),
    createConversation: (conversation) => call(OPERATIONS.createConversation, { conversation }),
    importConversations: (request) => call(OPERATIONS.importConversations, { request }),
    getConversation: (id) => call(OPERATIONS.getConversation, { id }),
    updateConversation: (id, patch) => call(OPERATIONS.updateConversation, { id, patch }),
    deleteConversation: (id) => call(OPERATIONS.deleteConversation, { id }),
    deleteChatMessage: (id, messageId) => call(OPERATIONS.deleteChatMessage, { id, message_id: messageId }),
    restoreChatMessage: (id, messageId) => call(OPERATIONS.restoreChatMessage, { id, message_id: messageId }),
    showAnswerVersion: (id, messageId, choice) => call(OPERATIONS.showAnswerVersion, { id, message_id: messageId, choice }),
    gatewayStatus: () => call(OPERATIONS.gatewayStatus, {}),
    setGatewayModel: (id, settings) => call(OPERATIONS.setGatewayModel, { id, settings }),
    setGatewaySettings: (settings) => call(OPERATIONS.setGatewaySettings, { settings }),
    listGatewayRequests: (query) => call(OPERATIONS.listGatewayRequests, { query }),
    gatewayRequestSeries: (query) => call(OPERATIONS.gatewayRequestSeries, { query }),
    listLocalModels: () => call(OPERATIONS.listLocalModels, {}),
    getModelFolders: () => call(OPERATIONS.getModelFolders, {}),
    setModelFolders: (folders) => call(OPERATIONS.setModelFolders, { folders }),
    fitLocalModel: (query) => call(OPERATIONS.fitLocalModel, { query }),
    deleteLocalModel: (file) => call(OPERATIONS.deleteLocalModel, { file }),
    hubSettings: () => call(OPERATIONS.hubSettings, {}),
    setHubSettings: (settings) => call(OPERATIONS.setHubSettings, { settings }),
    setHubToken: (token) => call(OPERATIONS.setHubToken, { token }),
    searchHub: (query) => call(OPERATIONS.searchHub, { query }),
    hubRepo: (query) => call(OPERATIONS.hubRepo, { query }),
    fitHubFile: (query) => call(OPERATIONS.fitHubFile, { query }),
    listDownloads: () => call(OPERATIONS.listDownloads, {}),
    startDownload: (download) => call(OPERATIONS.startDownload, { download }),
    pauseDownload: (id) => call(OPERATIONS.pauseDownload, { id }),
    resumeDownload: (id) => call(OPERATIONS.resumeDownload, { id }),
    cancelDownload: (id) => call(OPERATIONS.cancelDownload, { id }),
    removeDownload: (id) => call(OPERATIONS.removeDownload, { id }),
    ollamaStatus: () => call(OPERATIONS.ollamaStatus, {}),
    pullOllamaModel: (pull) => call(OPERATIONS.pullOllamaModel, { pull }),
    connectOllamaChat: () => call(OPERATIONS.connectOllamaChat, {}),
    listBenchmarks: () => call(OPERATIONS.listBenchmarks, {}),
    getBenchmark: (id) => call(OPERATIONS.getBenchmark, { id }),
    startBenchmark: (spec) => call(OPERATIONS.startBenchmark, { spec }),
    startHardwareBenchmark: (spec) => call(OPERATIONS.startHardwareBenchmark, { spec }),
    cancelBenchmark: (id) => call(OPERATIONS.cancelBenchmark, { id }),
    updateBenchmark: (id, patch) => call(OPERATIONS.updateBenchmark, { id, patch }),
    exportBenchmarks: (request) => call(OPERATIONS.exportBenchmarks, { request }),
    deleteBenchmark: (id) => call(OPERATIONS.deleteBenchmark, { id }),
    listRuns: (query) => call(OPERATIONS.listRuns, { query }),
    getRun: (id) => call(OPERATIONS.getRun, { id }),
    updateRun: (id, patch) => call(OPERATIONS.updateRun, { id, patch }),
    deleteRun: (id) => call(OPERATIONS.deleteRun, { id }),
    exportRuns: (request) => call(OPERATIONS.exportRuns, { request }),
    listSweeps: () => call(OPERATIONS.listSweeps, {}),
    getSweep: (id) => call(OPERATIONS.getSweep, { id }),
    startSweep: (spec) => call(OPERATIONS.startSweep, { spec }),
    cancelSweep: (id) => call(OPERATIONS.cancelSweep, { id }),
    deleteSweep: (id) => call(OPERATIONS.deleteSweep, { id }),
    applySweep: (id, request) => call(OPERATIONS.applySweep, { id, request }),
    listPromotions: (query) => call(OPERATIONS.listPromotions, { query }),
    exportSweep: (request) => call(OPERATIONS.exportSweep, { request }),
  }
}
