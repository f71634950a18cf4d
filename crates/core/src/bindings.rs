//! TypeScript types for the UI are generated from the Rust types here, never written by hand.
//! `LLMOPS_UPDATE_BINDINGS=1 cargo test -p llmops-core bindings` rewrites `ui/src/generated/`;
//! otherwise this test fails when the committed files are out of date.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ts_rs::TS;

fn export_all(dir: &Path) {
    crate::events::Event::export_all_to(dir).unwrap();
    crate::error::ErrorBody::export_all_to(dir).unwrap();
    crate::library::NewModel::export_all_to(dir).unwrap();
    crate::library::ModelEdited::export_all_to(dir).unwrap();
    crate::supervisor::ModelDetail::export_all_to(dir).unwrap();
    crate::engine::EngineInfo::export_all_to(dir).unwrap();
    crate::engine::DeployPreset::export_all_to(dir).unwrap();
    crate::chat::ChatRequest::export_all_to(dir).unwrap();
    crate::chat::ChatStreamEvent::export_all_to(dir).unwrap();
    crate::chat::ConversationDetail::export_all_to(dir).unwrap();
    crate::chat::NewConversation::export_all_to(dir).unwrap();
    crate::chat::ConversationPatch::export_all_to(dir).unwrap();
    crate::chat::VersionChoice::export_all_to(dir).unwrap();
    crate::chat::ChatDefaults::export_all_to(dir).unwrap();
    crate::chat::ImportRequest::export_all_to(dir).unwrap();
    crate::chat::ImportReport::export_all_to(dir).unwrap();
    crate::chat::TurnRequest::export_all_to(dir).unwrap();
    crate::chat::SearchHit::export_all_to(dir).unwrap();
    crate::chat::ExportFormat::export_all_to(dir).unwrap();
    crate::chat::ExportedConversation::export_all_to(dir).unwrap();
    crate::chat::ChatEndpoint::export_all_to(dir).unwrap();
    crate::chat::NewChatEndpoint::export_all_to(dir).unwrap();
    crate::chat::ChatPreset::export_all_to(dir).unwrap();
    crate::chat::NewChatPreset::export_all_to(dir).unwrap();
    crate::supervisor::LogLine::export_all_to(dir).unwrap();
    crate::supervisor::LogBatch::export_all_to(dir).unwrap();
    crate::history::History::export_all_to(dir).unwrap();
    crate::alerts::AlertRules::export_all_to(dir).unwrap();
    crate::alerts::AlertList::export_all_to(dir).unwrap();
    crate::history::HistoryRange::export_all_to(dir).unwrap();
    crate::access::Caller::export_all_to(dir).unwrap();
    crate::access::ApiKeyInfo::export_all_to(dir).unwrap();
    crate::access::NewApiKey::export_all_to(dir).unwrap();
    crate::access::CreatedApiKey::export_all_to(dir).unwrap();
    crate::access::LoginLink::export_all_to(dir).unwrap();
    crate::secrets::SecretStoreInfo::export_all_to(dir).unwrap();
    crate::operations::Health::export_all_to(dir).unwrap();
    crate::operations::DesktopNotification::export_all_to(dir).unwrap();
    crate::preferences::DesktopSettings::export_all_to(dir).unwrap();
    crate::runtimes::EngineRuntimes::export_all_to(dir).unwrap();
    crate::runtimes::EngineReleases::export_all_to(dir).unwrap();
    crate::runtimes::InstallEngineRuntime::export_all_to(dir).unwrap();
    crate::runtimes::RuntimeChoice::export_all_to(dir).unwrap();
    crate::runtimes::PinEngineRuntime::export_all_to(dir).unwrap();
    crate::runtimes::ReleasesSource::export_all_to(dir).unwrap();
    crate::history::HistoryQuery::export_all_to(dir).unwrap();
    crate::supervisor::LogQuery::export_all_to(dir).unwrap();
    crate::chat::SearchQuery::export_all_to(dir).unwrap();
    crate::chat::ExportQuery::export_all_to(dir).unwrap();
    crate::gateway::GatewayStatus::export_all_to(dir).unwrap();
    crate::gateway::GatewayModelSettings::export_all_to(dir).unwrap();
    crate::gateway::GatewaySettings::export_all_to(dir).unwrap();
    crate::gateway::LanServing::export_all_to(dir).unwrap();
    crate::gateway::RequestQuery::export_all_to(dir).unwrap();
    crate::gateway::RequestSeriesQuery::export_all_to(dir).unwrap();
    crate::gateway::RequestSeries::export_all_to(dir).unwrap();
    crate::hub::LocalModels::export_all_to(dir).unwrap();
    crate::hub::ModelFolders::export_all_to(dir).unwrap();
    crate::hub::FitQuery::export_all_to(dir).unwrap();
    crate::hub::FitReport::export_all_to(dir).unwrap();
    crate::hub::LocalFileRef::export_all_to(dir).unwrap();
    crate::hub::HubSettingsView::export_all_to(dir).unwrap();
    crate::hub::HubToken::export_all_to(dir).unwrap();
    crate::hub::HubSearchQuery::export_all_to(dir).unwrap();
    crate::hub::HubSearchPage::export_all_to(dir).unwrap();
    crate::hub::HubRepoQuery::export_all_to(dir).unwrap();
    crate::hub::HubRepo::export_all_to(dir).unwrap();
    crate::hub::HubFitQuery::export_all_to(dir).unwrap();
    crate::hub::HubFitReport::export_all_to(dir).unwrap();
    crate::hub::NewDownload::export_all_to(dir).unwrap();
    crate::hub::ollama::OllamaStatus::export_all_to(dir).unwrap();
    crate::hub::OllamaPull::export_all_to(dir).unwrap();
    crate::bench::Benchmark::export_all_to(dir).unwrap();
    crate::bench::BenchmarkSpec::export_all_to(dir).unwrap();
    crate::bench::BenchmarkPatch::export_all_to(dir).unwrap();
    crate::bench::HardwareSpec::export_all_to(dir).unwrap();
    crate::bench::BenchmarkExportRequest::export_all_to(dir).unwrap();
    crate::bench::BenchmarkExport::export_all_to(dir).unwrap();
    crate::runs::Run::export_all_to(dir).unwrap();
    crate::runs::RunDetail::export_all_to(dir).unwrap();
    crate::runs::RunQuery::export_all_to(dir).unwrap();
    crate::runs::RunPatch::export_all_to(dir).unwrap();
    crate::runs::RunExportRequest::export_all_to(dir).unwrap();
    crate::sweeps::Sweep::export_all_to(dir).unwrap();
    crate::sweeps::SweepSpec::export_all_to(dir).unwrap();
    crate::sweeps::ApplySweep::export_all_to(dir).unwrap();
    crate::sweeps::Promotion::export_all_to(dir).unwrap();
    crate::sweeps::PromotionQuery::export_all_to(dir).unwrap();
    crate::sweeps::SweepExportRequest::export_all_to(dir).unwrap();
    let client = crate::operations::typescript_client(&crate::operations::specs());
    std::fs::write(dir.join("operations.ts"), client).unwrap();
    let constants = crate::operations::typescript_constants();
    std::fs::write(dir.join("constants.ts"), constants).unwrap();
}

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "ts"))
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read_to_string(e.path()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every type the generated client imports has its generated file.
#[test]
fn the_client_imports_only_generated_types() {
    let dir = tempfile::tempdir().unwrap();
    export_all(dir.path());
    let client = std::fs::read_to_string(dir.path().join("operations.ts")).unwrap();
    for line in client.lines().filter(|l| l.starts_with("import type")) {
        let file = line.rsplit("'./").next().unwrap().trim_end_matches('\'');
        assert!(
            dir.path().join(format!("{file}.ts")).exists(),
            "{line}: add its type to export_all"
        );
    }
}

#[test]
fn bindings_are_current() {
    let committed: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/generated");
    let fresh = tempfile::tempdir().unwrap();
    export_all(fresh.path());
    if std::env::var_os("LLMOPS_UPDATE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        export_all(&committed);
        return;
    }
    assert_eq!(
        read_dir(&committed),
        read_dir(fresh.path()),
        "ui/src/generated is out of date: run `LLMOPS_UPDATE_BINDINGS=1 cargo test -p llmops-core bindings`"
    );
}
