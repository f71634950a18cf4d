// Every operation of llmops, declared once. This file is plain data for macros: the core
// (`operations/mod.rs`), the HTTP server, the desktop app's commands (and its build script, which
// reads only the names) and the generated TypeScript client all expand `operations!` with a macro
// of their own. See docs/ARCHITECTURE.md, "Add an operation".
//
// One entry:
//
//     /// What it does (the API document's summary, the TS client's doc comment).
//     name [surface method "/path" Scope timing] (arg: place Type, …) -> Kind Output => run;
//
// - `name`: the Tauri command, the OpenAPI operationId and (camelCased) the TS client method.
// - surface: `both`, `http` (served only over HTTP) or `tauri` (only the desktop app; no method or
//   path then: `[tauri]`).
// - `method "/path"`: below `/api`; every `{placeholder}` is an argument of place `path`.
// - `Scope`: what an HTTP caller needs (`Read`, `Operate`, `Admin`); the desktop window is admin.
// - timing: `quick` (answered within the request timeout), `upload` (quick, with a body of up to
//   `chat::MAX_IMPORT_BYTES` instead of 2 MB) or `stream`.
// - place: `path`, `query` (a flat struct of query parameters) or `body` (JSON, last).
// - Kind: `Json`, `Created` (201), `Empty` (204, Output `()`), `Sse`, `Ws` or `File`.
// - run: `{ |core| expression }` evaluated by the core, or `adapter` when the transport itself
//   must answer (who is calling, a stream, a file); each adapter then has a function by that name.

#[macro_export]
macro_rules! operations {
    ($callback:path) => {
        $callback! {
            /// Whether the server answers, and which build it is (the About box).
            health [both get "/health" Read quick] () -> Json $crate::operations::Health
                => { |core| Ok($crate::operations::Health::current()) };
            /// This API's OpenAPI 3.1 document.
            openapi_document [http get "/openapi.json" Read quick] () -> Json serde_json::Value
                => adapter;
            /// Who is calling: the scope and how the caller was recognised.
            whoami [both get "/auth/whoami" Read quick] () -> Json $crate::access::Caller
                => adapter;
            /// Ends this browser's session (its cookie).
            logout [http post "/auth/logout" Read quick] () -> Empty ()
                => adapter;
            /// The API keys, without their secrets.
            list_api_keys [both get "/access/keys" Admin quick] () -> Json Vec<$crate::access::ApiKeyInfo>
                => { |core| Ok(core.access.list_keys()) };
            /// Creates a key; the answer holds its secret, which is never shown again.
            create_api_key [both post "/access/keys" Admin quick] (key: body $crate::access::NewApiKey)
                -> Json $crate::access::CreatedApiKey
                => { |core| Ok(core.access.create_key(key).await?) };
            /// Revokes a key: requests and sessions made with it stop working.
            revoke_api_key [both delete "/access/keys/{id}" Admin quick] (id: path String) -> Empty ()
                => { |core| Ok(core.access.revoke_key(&id).await?) };
            /// The link (and its QR code) that logs another device in, or why there is none.
            login_link [both get "/access/login-link" Admin quick] () -> Json $crate::access::LoginLink
                => adapter;
            /// Replaces the server token: login links and sessions made with the old one stop working.
            rotate_server_token [both post "/access/rotate-token" Admin quick] () -> Empty ()
                => { |core| Ok(core.access.rotate_server_token()?) };
            /// Where secrets (endpoint keys, secret engine environment) are kept.
            secret_store_info [both get "/access/secrets" Admin quick] () -> Json $crate::secrets::SecretStoreInfo
                => { |core| Ok(core.secrets.info()) };
            /// The latest sample of CPU, memory, disks, network, GPUs and instances.
            system_status [both get "/system/status" Read quick] () -> Json $crate::monitor::SystemSnapshot
                => { |core| Ok(core.system_snapshot().await) };
            /// Metric history over a range; only the named series when given.
            system_history [both get "/system/history" Read quick] (query: query $crate::history::HistoryQuery)
                -> Json $crate::history::History
                => { |core| Ok(core.history.query(query.range.unwrap_or_default(), query.series_keys().as_deref(), $crate::time::now_ms()).await?) };
            /// Active and recent alerts.
            list_alerts [both get "/alerts" Read quick] () -> Json $crate::alerts::AlertList
                => { |core| Ok(core.alerts.list()) };
            /// The alert thresholds.
            get_alert_rules [both get "/alerts/rules" Read quick] () -> Json $crate::alerts::AlertRules
                => { |core| Ok(core.alerts.rules()) };
            /// Saves the alert thresholds and answers what was saved.
            set_alert_rules [both put "/alerts/rules" Admin quick] (rules: body $crate::alerts::AlertRules)
                -> Json $crate::alerts::AlertRules
                => { |core| Ok(core.alerts.set_rules(rules).await?) };
            /// Marks an active alert as seen; it stays active until its cause goes.
            acknowledge_alert [both post "/alerts/{id}/acknowledge" Operate quick] (id: path String)
                -> Json $crate::alerts::Alert
                => { |core| Ok(core.alerts.acknowledge(&id)?) };
            /// The models the user has configured.
            list_models [both get "/models" Read quick] () -> Json Vec<$crate::library::Model>
                => { |core| Ok(core.library.list().await?) };
            /// Adds a model without starting it.
            add_model [both post "/models" Admin quick] (model: body $crate::library::NewModel)
                -> Json $crate::library::Model
                => { |core| Ok(core.library.add(model).await?) };
            /// Adds a model and starts it. When the start is refused before an engine process
            /// exists, the model is removed again; once a process ran, the model stays.
            deploy_model [both post "/models/deploy" Admin quick] (model: body $crate::library::NewModel)
                -> Json $crate::supervisor::InstanceInfo
                => { |core| Ok(core.deploy(model).await?) };
            /// Each engine on this machine: its binary, where it was found and its version, or what is missing.
            engines_info [both get "/engines" Read quick] () -> Json Vec<$crate::engine::EngineInfo>
                => { |core| Ok(core.supervisor.engines().await) };
            /// The engine runtimes: this computer's hardware, the installed llama.cpp builds and
            /// the models pinned to them, the default, the releases source and the fallback.
            list_engine_runtimes [both get "/engines/runtimes" Read quick] () -> Json $crate::runtimes::EngineRuntimes
                => { |core| Ok(core.engine_runtimes().await?) };
            /// llama.cpp releases with builds for this computer, from the releases source, and
            /// the build llmops suggests for its hardware.
            list_engine_releases [both get "/engines/releases" Operate quick] () -> Json $crate::runtimes::EngineReleases
                => { |core| Ok(core.engine_releases().await?) };
            /// Starts installing a llama.cpp build: downloaded (it shows in the downloads list),
            /// verified against the release's sha256, unpacked and checked to run;
            /// `engine_runtime_update` events follow it.
            install_engine_runtime [both post "/engines/runtimes" Admin quick] (request: body $crate::runtimes::InstallEngineRuntime)
                -> Created $crate::runtimes::EngineRuntime
                => { |core| Ok(core.install_engine_runtime(request).await?) };
            /// Removes an installed runtime and its folder (not while a model is pinned to it or
            /// runs on it).
            remove_engine_runtime [both delete "/engines/runtimes/{id}" Admin quick] (id: path String)
                -> Json $crate::runtimes::EngineRuntimes
                => { |core| Ok(core.remove_engine_runtime(&id).await?) };
            /// Makes an installed runtime the default for llama.cpp models not pinned to one.
            set_default_engine_runtime [both put "/engines/default" Admin quick] (choice: body $crate::runtimes::RuntimeChoice)
                -> Json $crate::runtimes::EngineRuntimes
                => { |core| Ok(core.set_default_engine_runtime(choice).await?) };
            /// Makes the previous default the default again.
            roll_back_engine_runtime [both post "/engines/default/rollback" Admin quick] ()
                -> Json $crate::runtimes::EngineRuntimes
                => { |core| Ok(core.roll_back_engine_runtime().await?) };
            /// Pins a llama.cpp model to an installed runtime, or back to the default (`null`);
            /// it applies at the model's next start.
            pin_engine_runtime [both put "/engines/pins" Admin quick] (pin: body $crate::runtimes::PinEngineRuntime)
                -> Json $crate::runtimes::EngineRuntimes
                => { |core| Ok(core.pin_engine_runtime(pin).await?) };
            /// Where llama.cpp releases are listed: a mirror of GitHub's release API, or GitHub
            /// again (`null`).
            set_engine_releases_source [both put "/engines/source" Admin quick] (source: body $crate::runtimes::ReleasesSource)
                -> Json $crate::runtimes::EngineRuntimes
                => { |core| Ok(core.set_engine_releases_source(source).await?) };
            /// Presets that pre-fill the Deploy form, per model family and engine.
            deploy_presets [both get "/engines/presets" Read quick] () -> Json Vec<$crate::engine::DeployPreset>
                => { |core| Ok($crate::engine::deploy_presets()) };
            /// A model with its instance history, newest first.
            model_detail [both get "/models/{id}" Read quick] (id: path String) -> Json $crate::supervisor::ModelDetail
                => { |core| Ok(core.model_detail(&id).await?) };
            /// Edits a model's settings, validated as when it is added. A running model keeps
            /// its settings until its next start.
            update_model [both put "/models/{id}" Admin quick] (id: path String, model: body $crate::library::NewModel)
                -> Json $crate::library::ModelEdited
                => { |core| Ok(core.update_model(&id, model).await?) };
            /// Removes a model, stopping its live instance first.
            remove_model [both delete "/models/{id}" Admin quick] (id: path String) -> Empty ()
                => { |core| Ok(core.remove_model(&id).await?) };
            /// Stops the model's live instance.
            stop_model [both post "/models/{id}/stop" Operate quick] (id: path String)
                -> Json $crate::supervisor::InstanceInfo
                => { |core| Ok(core.supervisor.stop_model(&id).await?) };
            /// Starts a model (one live instance per model).
            start_model [both post "/models/{id}/start" Operate quick] (id: path String)
                -> Json $crate::supervisor::InstanceInfo
                => { |core| Ok(core.supervisor.start(&id).await?) };
            /// The live output of a model: recent lines, then new ones, following restarts.
            follow_model_logs [both get "/models/{id}/logs" Read stream] (id: path String)
                -> Ws $crate::supervisor::LogBatch
                => adapter;
            /// Every instance this process has run.
            list_instances [both get "/instances" Read quick] () -> Json Vec<$crate::supervisor::InstanceInfo>
                => { |core| Ok(core.supervisor.list()) };
            /// One instance.
            get_instance [both get "/instances/{id}" Read quick] (id: path String)
                -> Json $crate::supervisor::InstanceInfo
                => { |core| Ok(core.supervisor.get(&id)?) };
            /// Stops an instance.
            stop_instance [both post "/instances/{id}/stop" Operate quick] (id: path String)
                -> Json $crate::supervisor::InstanceInfo
                => { |core| Ok(core.supervisor.stop(&id).await?) };
            /// An instance's output lines after `since` (a line number), at most `limit`.
            instance_logs [both get "/instances/{id}/logs" Read quick]
                (id: path String, query: query $crate::supervisor::LogQuery)
                -> Json Vec<$crate::supervisor::LogLine>
                => { |core| Ok(core.supervisor.logs(&id, query.since, query.limit())?) };
            /// Streams a chat completion from a running instance or endpoint, without saving it.
            chat_completions [http post "/chat/completions" Operate stream] (request: body $crate::chat::ChatRequest)
                -> Sse $crate::chat::ChatStreamEvent
                => adapter;
            /// Full-text search over saved conversations.
            search_conversations [both get "/chat/search" Read quick] (query: query $crate::chat::SearchQuery)
                -> Json Vec<$crate::chat::SearchHit>
                => { |core| Ok(core.chat.search(&query.q).await?) };
            /// OpenAI-compatible endpoints the chat can talk to.
            list_chat_endpoints [both get "/chat/endpoints" Read quick] () -> Json Vec<$crate::chat::ChatEndpoint>
                => { |core| Ok(core.chat.list_endpoints().await?) };
            /// Adds an endpoint; its API key goes to the secret store.
            add_chat_endpoint [both post "/chat/endpoints" Admin quick] (endpoint: body $crate::chat::NewChatEndpoint)
                -> Created $crate::chat::ChatEndpoint
                => { |core| Ok(core.chat.add_endpoint(endpoint).await?) };
            /// Removes an endpoint and its key.
            remove_chat_endpoint [both delete "/chat/endpoints/{id}" Admin quick] (id: path String) -> Empty ()
                => { |core| Ok(core.chat.remove_endpoint(&id).await?) };
            /// The model names an endpoint serves (its `/models`).
            chat_endpoint_models [both get "/chat/endpoints/{id}/models" Operate quick] (id: path String)
                -> Json Vec<String>
                => { |core| Ok(core.chat.endpoint_models(&id).await?) };
            /// What unset conversation parameters fall back to, globally and per model.
            get_chat_defaults [both get "/chat/defaults" Read quick] () -> Json $crate::chat::ChatDefaults
                => { |core| Ok(core.chat.defaults().await?) };
            /// Replaces the chat defaults (a default system prompt and parameters, globally and
            /// per model); conversations that do not set a parameter use them at their next turn.
            set_chat_defaults [both put "/chat/defaults" Operate quick] (defaults: body $crate::chat::ChatDefaults)
                -> Json $crate::chat::ChatDefaults
                => { |core| Ok(core.chat.set_defaults(defaults).await?) };
            /// Saved sets of chat parameters.
            list_chat_presets [both get "/chat/presets" Read quick] () -> Json Vec<$crate::chat::ChatPreset>
                => { |core| Ok(core.chat.list_presets().await?) };
            /// Saves a preset; one with the same name is replaced.
            save_chat_preset [both post "/chat/presets" Operate quick] (preset: body $crate::chat::NewChatPreset)
                -> Json $crate::chat::ChatPreset
                => { |core| Ok(core.chat.save_preset(preset).await?) };
            /// Deletes a preset.
            delete_chat_preset [both delete "/chat/presets/{id}" Operate quick] (id: path String) -> Empty ()
                => { |core| Ok(core.chat.delete_preset(&id).await?) };
            /// Saved conversations, pinned first, then the most recently updated.
            list_conversations [both get "/conversations" Read quick] () -> Json Vec<$crate::chat::Conversation>
                => { |core| Ok(core.chat.list_conversations().await?) };
            /// Starts a conversation.
            create_conversation [both post "/conversations" Operate quick]
                (conversation: body $crate::chat::NewConversation) -> Created $crate::chat::Conversation
                => { |core| Ok(core.chat.create_conversation(conversation).await?) };
            /// Saves the conversations of an exported file (llmops JSON, Open WebUI or LM
            /// Studio) as new conversations.
            import_conversations [both post "/conversations/import" Operate upload]
                (request: body $crate::chat::ImportRequest) -> Created $crate::chat::ImportReport
                => { |core| Ok(core.chat.import_conversations(request).await?) };
            /// A conversation with its messages.
            get_conversation [both get "/conversations/{id}" Read quick] (id: path String)
                -> Json $crate::chat::ConversationDetail
                => { |core| Ok(core.chat.conversation(&id).await?) };
            /// Renames, pins or re-targets a conversation, or changes its parameters.
            update_conversation [both patch "/conversations/{id}" Operate quick]
                (id: path String, patch: body $crate::chat::ConversationPatch) -> Json $crate::chat::Conversation
                => { |core| Ok(core.chat.update_conversation(&id, patch).await?) };
            /// Deletes a conversation and its messages.
            delete_conversation [both delete "/conversations/{id}" Operate quick] (id: path String) -> Empty ()
                => { |core| Ok(core.chat.delete_conversation(&id).await?) };
            /// Deletes one message of a conversation (undoable until the next turn).
            delete_chat_message [both delete "/conversations/{id}/messages/{message_id}" Operate quick]
                (id: path String, message_id: path String) -> Empty ()
                => { |core| Ok(core.chat.delete_message(&id, &message_id).await?) };
            /// Undoes a message's delete, until the conversation's next turn.
            restore_chat_message [both post "/conversations/{id}/messages/{message_id}/restore" Operate quick]
                (id: path String, message_id: path String) -> Json $crate::chat::ConversationDetail
                => { |core| Ok(core.chat.restore_message(&id, &message_id).await?) };
            /// Shows another version of an answer (regenerating keeps the earlier ones).
            show_answer_version [both put "/conversations/{id}/messages/{message_id}/version" Operate quick]
                (id: path String, message_id: path String, choice: body $crate::chat::VersionChoice)
                -> Json $crate::chat::ConversationDetail
                => { |core| Ok(core.chat.show_answer_version(&id, &message_id, choice.version).await?) };
            /// Sends, regenerates or edits a turn and streams the answer, saving it as it streams:
            /// `started` first, then deltas, then one `done` or `error`.
            chat_turn [both post "/conversations/{id}/turns" Operate stream]
                (id: path String, turn: body $crate::chat::TurnRequest) -> Sse $crate::chat::ChatStreamEvent
                => adapter;
            /// A conversation as a Markdown or JSON file (the desktop app saves it to Downloads).
            export_conversation [both get "/conversations/{id}/export" Read quick]
                (id: path String, query: query $crate::chat::ExportQuery) -> File ()
                => adapter;
            /// The OpenAI-compatible gateway (`/v1`): where it is served, every model by the name
            /// clients use, its state, queue and settings.
            gateway_status [both get "/gateway" Read quick] () -> Json $crate::gateway::GatewayStatus
                => { |core| Ok(core.gateway.status().await?) };
            /// How the gateway treats a model: idle stop, aliases, concurrency, queue, group, pin,
            /// request logging.
            set_gateway_model [both put "/gateway/models/{id}" Admin quick]
                (id: path String, settings: body $crate::gateway::GatewayModelSettings) -> Json $crate::gateway::GatewayModel
                => { |core| Ok(core.gateway.set_model_settings(&id, settings).await?) };
            /// Settings of the gateway as a whole (how long request records are kept).
            set_gateway_settings [both put "/gateway/settings" Admin quick]
                (settings: body $crate::gateway::GatewaySettings) -> Json $crate::gateway::GatewaySettings
                => { |core| Ok(core.gateway.set_settings(settings).await?) };
            /// "Serve on local network" (the desktop app): opens `/v1` and the dashboard to other
            /// devices behind API keys, or back to this machine only.
            set_lan_serving [tauri] (serving: body $crate::gateway::LanServing) -> Json $crate::gateway::GatewayStatus
                => adapter;
            /// Requests through `/v1`, newest first: those being answered, then finished ones.
            list_gateway_requests [both get "/gateway/requests" Read quick]
                (query: query $crate::gateway::RequestQuery) -> Json Vec<$crate::gateway::RequestRecord>
                => { |core| Ok(core.gateway.requests(query).await?) };
            /// Per-model TTFT and decode speed of requests through `/v1` over time.
            gateway_request_series [both get "/gateway/series" Read quick]
                (query: query $crate::gateway::RequestSeriesQuery) -> Json $crate::gateway::RequestSeries
                => { |core| Ok(core.gateway.request_series(query).await?) };
            /// GGUF models already on this computer, found in place (Hugging Face cache, LM
            /// Studio, Ollama, ModelScope, llmops, the user's folders); scans again each call.
            list_local_models [both get "/hub/local" Read quick] () -> Json $crate::hub::LocalModels
                => { |core| Ok(core.hub.local_models().await?) };
            /// The folders the user added to the model index.
            get_model_folders [both get "/hub/folders" Read quick] () -> Json $crate::hub::ModelFolders
                => { |core| Ok(core.hub.folders().await?) };
            /// Replaces the folders the user added to the model index.
            set_model_folders [both put "/hub/folders" Admin quick] (folders: body $crate::hub::ModelFolders)
                -> Json $crate::hub::ModelFolders
                => { |core| Ok(core.hub.set_folders(folders).await?) };
            /// Whether an indexed model file fits this machine: llmops's estimate from its header
            /// and llama.cpp's own (`llama-fit-params`), with what would make it fit.
            fit_local_model [both post "/hub/local/fit" Operate quick] (query: body $crate::hub::FitQuery)
                -> Json $crate::hub::FitReport
                => { |core| Ok(core.fit_model_file(query).await?) };
            /// Deletes an indexed model file (never one another application owns or a model uses).
            delete_local_model [both post "/hub/local/delete" Admin quick] (file: body $crate::hub::LocalFileRef)
                -> Empty ()
                => { |core| Ok(core.hub.delete_local(&file.path).await?) };
            /// The hub settings (endpoint or mirror, token use, parallel downloads) and what
            /// they resolve to; never the token.
            hub_settings [both get "/hub/settings" Read quick] () -> Json $crate::hub::HubSettingsView
                => { |core| Ok(core.hub.settings_view().await?) };
            /// Saves the hub settings.
            set_hub_settings [both put "/hub/settings" Admin quick] (settings: body $crate::hub::HubSettings)
                -> Json $crate::hub::HubSettingsView
                => { |core| Ok(core.hub.set_settings(settings).await?) };
            /// Keeps a Hugging Face token in the OS keyring (`null` removes it); it is never shown again.
            set_hub_token [both put "/hub/token" Admin quick] (token: body $crate::hub::HubToken)
                -> Json $crate::hub::HubSettingsView
                => { |core| Ok(core.hub.set_token(token).await?) };
            /// Searches the hub for GGUF repositories, most downloaded first; one page.
            search_hub [both get "/hub/search" Operate quick] (query: query $crate::hub::HubSearchQuery)
                -> Json $crate::hub::HubSearchPage
                => { |core| Ok(core.hub.search(query).await?) };
            /// A hub repository's files at a revision, pinned to its commit, GGUF files grouped by
            /// quantisation.
            hub_repo [both get "/hub/repo" Operate quick] (query: query $crate::hub::HubRepoQuery)
                -> Json $crate::hub::HubRepo
                => { |core| Ok(core.hub.repo(query).await?) };
            /// Whether a hub GGUF file fits this machine, from its header read over HTTP Range,
            /// before downloading it.
            fit_hub_file [both post "/hub/fit" Operate quick] (query: body $crate::hub::HubFitQuery)
                -> Json $crate::hub::HubFitReport
                => { |core| Ok(core.fit_hub_file(query).await?) };
            /// Downloads, newest first.
            list_downloads [both get "/hub/downloads" Read quick] () -> Json Vec<$crate::hub::Download>
                => { |core| Ok(core.hub.list_downloads()) };
            /// Downloads files of a hub repository (a split set whole) into the Hugging Face cache,
            /// pinned to the revision's commit and verified by sha256.
            start_download [both post "/hub/downloads" Admin quick] (download: body $crate::hub::NewDownload)
                -> Json $crate::hub::Download
                => { |core| Ok(core.hub.start_download(download).await?) };
            /// Pauses a download, keeping what it has.
            pause_download [both post "/hub/downloads/{id}/pause" Admin quick] (id: path String)
                -> Json $crate::hub::Download
                => { |core| Ok(core.hub.pause_download(&id).await?) };
            /// Resumes a paused or failed download from where it stopped.
            resume_download [both post "/hub/downloads/{id}/resume" Admin quick] (id: path String)
                -> Json $crate::hub::Download
                => { |core| Ok(core.hub.resume_download(&id).await?) };
            /// Cancels a download and deletes its unfinished files.
            cancel_download [both post "/hub/downloads/{id}/cancel" Admin quick] (id: path String)
                -> Json $crate::hub::Download
                => { |core| Ok(core.hub.cancel_download(&id).await?) };
            /// Removes a finished, failed or cancelled download from the list (its files stay).
            remove_download [both delete "/hub/downloads/{id}" Admin quick] (id: path String) -> Empty ()
                => { |core| Ok(core.hub.remove_download(&id).await?) };
            /// A running Ollama (`OLLAMA_HOST`): reachable or why not, its models, what is loaded.
            ollama_status [both get "/hub/ollama" Read quick] () -> Json $crate::hub::ollama::OllamaStatus
                => { |core| Ok(core.hub.ollama_status().await?) };
            /// Asks Ollama to pull a model; its progress is followed in the downloads list.
            pull_ollama_model [both post "/hub/ollama/pull" Admin quick] (pull: body $crate::hub::OllamaPull)
                -> Json $crate::hub::Download
                => { |core| Ok(core.hub.pull_ollama(pull).await?) };
            /// Adds Ollama's OpenAI-compatible `/v1` as a chat endpoint (or answers the one there is).
            connect_ollama_chat [both post "/hub/ollama/chat-endpoint" Admin quick] () -> Json $crate::chat::ChatEndpoint
                => { |core| Ok(core.connect_ollama_chat().await?) };
            /// Benchmarks, newest first (without per-request samples).
            list_benchmarks [both get "/benchmarks" Read quick] () -> Json Vec<$crate::bench::Benchmark>
                => { |core| Ok(core.bench.list().await?) };
            /// One benchmark with its per-request samples.
            get_benchmark [both get "/benchmarks/{id}" Read quick] (id: path String) -> Json $crate::bench::Benchmark
                => { |core| Ok(core.bench.get(&id).await?) };
            /// Starts a load benchmark against a running model, a gateway model or an endpoint;
            /// progress and results come as `benchmark_update` events. One at a time.
            start_benchmark [both post "/benchmarks" Operate upload] (spec: body $crate::bench::BenchmarkSpec)
                -> Json $crate::bench::Benchmark
                => { |core| Ok(core.bench.start_benchmark(spec).await?) };
            /// Runs llama.cpp's `llama-bench` on a model's file: prompt and generation speed on
            /// this machine.
            start_hardware_benchmark [both post "/benchmarks/hardware" Admin quick] (spec: body $crate::bench::HardwareSpec)
                -> Json $crate::bench::Benchmark
                => { |core| Ok(core.bench.start_hardware_benchmark(spec).await?) };
            /// Cancels a running benchmark; the levels it finished are kept.
            cancel_benchmark [both post "/benchmarks/{id}/cancel" Operate quick] (id: path String)
                -> Json $crate::bench::Benchmark
                => { |core| Ok(core.bench.cancel(&id).await?) };
            /// Renames a benchmark, or sets its tags and notes.
            update_benchmark [both patch "/benchmarks/{id}" Operate quick] (id: path String, patch: body $crate::bench::BenchmarkPatch)
                -> Json $crate::bench::Benchmark
                => { |core| Ok(core.bench.update(&id, patch).await?) };
            /// Benchmarks as a Markdown report, CSV (a row per load level) or JSON.
            export_benchmarks [both post "/benchmarks/export" Read quick] (request: body $crate::bench::BenchmarkExportRequest)
                -> Json $crate::bench::BenchmarkExport
                => { |core| Ok(core.bench.export(request).await?) };
            /// Saves benchmarks as a file in the user's Downloads folder and answers its path (the
            /// desktop app; a browser saves `export_benchmarks`' text itself).
            save_benchmark_export [tauri] (request: body $crate::bench::BenchmarkExportRequest) -> Json String
                => { |core| Ok(core.bench.save_export(request, None).await?) };
            /// Deletes a finished benchmark.
            delete_benchmark [both delete "/benchmarks/{id}" Operate quick] (id: path String) -> Empty ()
                => { |core| Ok(core.bench.delete(&id).await?) };
            /// Runs (every instance lifetime), newest first, without their readings.
            list_runs [both get "/runs" Read quick] (query: query $crate::runs::RunQuery) -> Json Vec<$crate::runs::Run>
                => { |core| Ok(core.runs.list(query).await?) };
            /// One run with its resource readings and the benchmarks measured on it.
            get_run [both get "/runs/{id}" Read quick] (id: path String) -> Json $crate::runs::RunDetail
                => { |core| Ok(core.runs.get(&id).await?) };
            /// Sets a run's tags or notes.
            update_run [both patch "/runs/{id}" Operate quick] (id: path String, patch: body $crate::runs::RunPatch)
                -> Json $crate::runs::Run
                => { |core| Ok(core.runs.update(&id, patch).await?) };
            /// Deletes a finished run (its benchmarks stay).
            delete_run [both delete "/runs/{id}" Operate quick] (id: path String) -> Empty ()
                => { |core| Ok(core.runs.delete(&id).await?) };
            /// One run, or several compared (what differs, rollups, requests, overlaid readings),
            /// as Markdown, CSV, JSON or a self-contained HTML page.
            export_runs [both post "/runs/export" Read quick] (request: body $crate::runs::RunExportRequest)
                -> Json $crate::bench::BenchmarkExport
                => { |core| Ok(core.runs.export(request).await?) };
            /// Saves runs' export in the user's Downloads folder and answers its path (desktop).
            save_run_export [tauri] (request: body $crate::runs::RunExportRequest) -> Json String
                => { |core| Ok(core.runs.save_export(request, None).await?) };
            /// Sweeps, newest first.
            list_sweeps [both get "/sweeps" Read quick] () -> Json Vec<$crate::sweeps::Sweep>
                => { |core| Ok(core.sweeps.list().await?) };
            /// One sweep with its configurations.
            get_sweep [both get "/sweeps/{id}" Read quick] (id: path String) -> Json $crate::sweeps::Sweep
                => { |core| Ok(core.sweeps.get(&id).await?) };
            /// Starts a sweep: the model is restarted once per configuration and benchmarked;
            /// progress comes as `sweep_update` events. One at a time.
            start_sweep [both post "/sweeps" Admin upload] (spec: body $crate::sweeps::SweepSpec)
                -> Json $crate::sweeps::Sweep
                => { |core| Ok(core.sweeps.start(spec).await?) };
            /// Cancels the running sweep; the configurations it measured are kept.
            cancel_sweep [both post "/sweeps/{id}/cancel" Operate quick] (id: path String)
                -> Json $crate::sweeps::Sweep
                => { |core| Ok(core.sweeps.cancel(&id).await?) };
            /// Deletes a finished sweep (its runs and benchmarks stay).
            delete_sweep [both delete "/sweeps/{id}" Operate quick] (id: path String) -> Empty ()
                => { |core| Ok(core.sweeps.delete(&id).await?) };
            /// Writes a sweep's configuration (the best by default) into the model's settings and
            /// records the promotion with the run and benchmark that prove it.
            apply_sweep [both post "/sweeps/{id}/apply" Admin quick] (id: path String, request: body $crate::sweeps::ApplySweep)
                -> Json $crate::sweeps::Promotion
                => { |core| Ok(core.sweeps.apply(&id, request).await?) };
            /// Configurations promoted to models' settings, newest first: each model's registry.
            list_promotions [both get "/promotions" Read quick] (query: query $crate::sweeps::PromotionQuery)
                -> Json Vec<$crate::sweeps::Promotion>
                => { |core| Ok(core.sweeps.promotions(query).await?) };
            /// A sweep's report: the hardware, the method, the table, the throughput–latency
            /// scatter with its Pareto front and the best configuration.
            export_sweep [both post "/sweeps/export" Read quick] (request: body $crate::sweeps::SweepExportRequest)
                -> Json $crate::bench::BenchmarkExport
                => { |core| Ok(core.sweeps.export(request).await?) };
            /// Saves a sweep's report in the user's Downloads folder and answers its path (desktop).
            save_sweep_export [tauri] (request: body $crate::sweeps::SweepExportRequest) -> Json String
                => { |core| Ok(core.sweeps.save_export(request, None).await?) };
            /// Pushed events (status, alerts, models, instances) as they happen.
            events [http get "/ws" Read stream] () -> Ws $crate::events::Event
                => adapter;
            /// Stops a stream of the desktop app, a chat answer or a live log (a browser closes
            /// its request or socket instead).
            cancel_stream [tauri] (stream_id: path String) -> Empty ()
                => adapter;
            /// A UI preference of the desktop app (language, …) by key.
            load_preference [tauri] (key: path String) -> Json Option<String>
                => { |core| Ok(core.preferences.get(&key)) };
            /// Saves a UI preference of the desktop app.
            save_preference [tauri] (key: path String, value: path String) -> Empty ()
                => { |core| Ok(core.preferences.set(&key, &value)?) };
            /// How the desktop app behaves: close to tray, notifications, models started with
            /// it, start at login.
            get_desktop_settings [tauri] () -> Json $crate::preferences::DesktopSettings
                => adapter;
            /// Saves how the desktop app behaves (start at login is applied to the system).
            set_desktop_settings [tauri] (settings: body $crate::preferences::DesktopSettings)
                -> Json $crate::preferences::DesktopSettings
                => adapter;
            /// Shows a desktop notification, worded by the window in the user's language (a
            /// raised alert).
            show_notification [tauri] (notification: body $crate::operations::DesktopNotification) -> Empty ()
                => adapter;
        }
    };
}
