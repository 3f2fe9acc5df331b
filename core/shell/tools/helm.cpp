// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/tools/helm.h"

#include "core/common/text.h"
#include "core/config/helm_release.h"
#include "core/config/store.h"
#include "core/mesh/ip_allocator.h"
#include "core/mesh/topology.h"
#include "core/shell/tools/go_yaml.h"
#include "core/shell/tools/tool_support.h"
#include "core/xds/proxy_config_dump.h"

#include <map>

namespace meshcraft::core::shell::tools {

namespace {

constexpr std::string_view VersionLine =
    "&version.Version{SemVer:\"v2.16.1\", GitCommit:\"bbdfe5e7803a12bbdf97e94cd847859890cf4050\", "
    "GitTreeState:\"clean\"}";

constexpr std::string_view IstioNotes =
    "Thank you for installing Istio.\n\n"
    "Your release is named %s.\n\n"
    "To get started running application with Istio, execute the following steps:\n"
    "1. Label namespace that application object will be deployed to by the following command "
    "(take default namespace as an example)\n\n"
    "$ kubectl label namespace default istio-injection=enabled\n"
    "$ kubectl get namespace -L istio-injection\n\n"
    "2. Deploy your applications\n\n"
    "$ kubectl apply -f <your-application>.yaml\n\n"
    "For further documentation see https://istio.io website\n";

CommandStatus fail(CommandContext &ctx, std::string_view message)
{
    ctx.err().write("Error: " + std::string(message) + "\n");
    return CommandStatus::exited(1);
}

void writeNotes(CommandContext &ctx, const common::Diagnostics &notes)
{
    static constexpr std::string_view Prefix = "simulator note: ";
    for (const common::Diagnostic &note : notes) {
        std::string_view text = note.message;
        if (text.starts_with(Prefix)) {
            text.remove_prefix(Prefix.size());
        }
        ctx.err().write("meshcraft: note: " + std::string(text) + "\n");
    }
}

/// Helm 2 runs kubectl's printers and turns runs of spaces into tabwriter cells (padding 2).
std::string resourceTable(const std::vector<std::vector<std::string>> &rows)
{
    return xds::tabwriterFormat(rows, 2);
}

std::string age(ToolState &state, const config::ObjectKey &key)
{
    return humanDuration(state.world().now() - state.createdAt(key));
}

/// `RESOURCES:` of Helm 2's status: the release's objects grouped by `version/Kind`.
std::string resourcesBlock(ToolState &state)
{
    config::HelmRelease &release = state.world().helm();
    const mesh::Topology &topology = state.world().topology();
    std::map<std::string, std::vector<std::vector<std::string>>> groups;
    std::vector<std::vector<std::string>> pods;
    for (const config::Resource &resource : release.renderManifests()) {
        const std::string nameSpace =
            resource.metadata.nameSpace.empty() ? release.nameSpace() : resource.metadata.nameSpace;
        const config::ObjectKey key{resource.kind,
                                    resource.info().namespaced ? nameSpace : std::string(),
                                    resource.metadata.name};
        const std::string group =
            (resource.version.empty() ? std::string("v1") : resource.version) + "/" +
            std::string(resource.info().name);
        auto &rows = groups[group];
        const config::StoredObject *stored = state.world().store().get(key);
        switch (resource.kind) {
        case config::Kind::ConfigMap: {
            if (rows.empty()) {
                rows.push_back({"NAME", "DATA", "AGE"});
            }
            const config::Node *data = stored ? stored->resource.document.find("data") : nullptr;
            rows.push_back({key.name,
                            std::to_string(data && data->isMap() ? data->entries.size() : 0),
                            age(state, key)});
            break;
        }
        case config::Kind::Deployment: {
            if (rows.empty()) {
                rows.push_back({"NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"});
            }
            const auto owned = topology.podsOf(key.nameSpace, key.name);
            const std::string count = std::to_string(owned.size());
            rows.push_back({key.name, count + "/" + count, count, count, age(state, key)});
            for (const mesh::PodView *pod : owned) {
                const std::string containers = std::to_string(pod->containers.size());
                pods.push_back({pod->name, containers + "/" + containers,
                                pod->ip ? "Running" : "Pending", "0",
                                age(state, {config::Kind::Pod, pod->nameSpace, pod->name})});
            }
            break;
        }
        case config::Kind::Service: {
            if (rows.empty()) {
                rows.push_back({"NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"});
            }
            const mesh::ServiceView *service = topology.service(key.nameSpace, key.name);
            std::string ports;
            if (service) {
                for (const config::ServicePortSpec &port : service->ports) {
                    ports += (ports.empty() ? "" : ",") + std::to_string(port.port) + "/" +
                             port.protocol;
                }
            }
            const std::string type = service ? service->type : std::string("ClusterIP");
            rows.push_back(
                {key.name, type,
                 service && service->clusterIP ? mesh::formatIp(service->clusterIP) : "None",
                 type == "LoadBalancer" ? "<pending>" : "<none>", ports, age(state, key)});
            break;
        }
        default:
            if (rows.empty()) {
                rows.push_back({"NAME", "AGE"});
            }
            rows.push_back({key.name, age(state, key)});
        }
    }
    if (!pods.empty()) {
        pods.insert(pods.begin(), {"NAME", "READY", "STATUS", "RESTARTS", "AGE"});
        groups["v1/Pod(related)"] = std::move(pods);
    }
    std::string out = "RESOURCES:\n";
    for (const auto &[group, rows] : groups) {
        out += "==> " + group + "\n" + resourceTable(rows) + "\n";
    }
    return out;
}

std::string releaseNotes(const std::string &release)
{
    std::string notes(IstioNotes);
    notes.replace(notes.find("%s"), 2, release);
    return notes;
}

std::string statusBlock(ToolState &state)
{
    config::HelmRelease &release = state.world().helm();
    return "LAST DEPLOYED: " + formatAnsic(state.helmDeployedAt()) +
           "\nNAMESPACE: " + release.nameSpace() + "\nSTATUS: DEPLOYED\n\n" +
           resourcesBlock(state) + "\nNOTES:\n" + releaseNotes(release.name()) + "\n";
}

/// The chart argument: an existing chart folder in the VFS, else Helm 2's words.
std::optional<std::string> checkChart(CommandContext &ctx, const std::string &chart)
{
    const bool isPath = chart.starts_with('/') || chart.starts_with('.') || chart.starts_with('~');
    const std::string path = ctx.resolvePath(chart);
    if (!isPath && !ctx.fs().isDirectory(path)) {
        return "failed to download \"" + chart + "\" (hint: running `helm repo update` may help)";
    }
    if (!ctx.fs().exists(path)) {
        return "path \"" + path + "\" not found";
    }
    if (!ctx.fs().isDirectory(path)) {
        return "file '" + path +
               "' does not appear to be a gzipped archive; got "
               "'application/octet-stream'";
    }
    if (!ctx.fs().isFile(path + "/Chart.yaml") && VirtualFs::baseName(path) != "istio") {
        return "Chart.yaml file is missing";
    }
    return std::nullopt;
}

CommandStatus upgrade(CommandContext &ctx, ToolState &state, const std::vector<std::string> &args)
{
    const auto parsed = parseFlags(args, {{"reuse-values", 0, false},
                                          {"reset-values", 0, false},
                                          {"set", 0, true},
                                          {"set-string", 0, true},
                                          {"values", 'f', true},
                                          {"install", 'i', false},
                                          {"namespace", 0, true},
                                          {"force", 0, false},
                                          {"wait", 0, false},
                                          {"timeout", 0, true},
                                          {"recreate-pods", 0, false},
                                          {"version", 0, true},
                                          {"dry-run", 0, false},
                                          {"debug", 0, false}});
    if (!parsed) {
        return fail(ctx, parsed.error().message);
    }
    if (parsed->positionals.size() != 2) {
        return fail(ctx, "This command needs 2 arguments: release name, chart path");
    }
    const std::string &releaseName = parsed->positionals[0];
    if (const auto chartError = checkChart(ctx, parsed->positionals[1])) {
        return fail(ctx, *chartError);
    }
    config::HelmRelease &release = state.world().helm();
    if (releaseName != release.name()) {
        ctx.out().write("UPGRADE FAILED\nError: \"" + releaseName +
                        "\" has no deployed releases\n");
        return fail(ctx, "UPGRADE FAILED: \"" + releaseName + "\" has no deployed releases");
    }
    config::HelmUpgradeOptions options;
    options.reuseValues = parsed->isSet("reuse-values");
    options.resetValues = parsed->isSet("reset-values");
    options.values.set = parsed->values("set");
    options.values.setString = parsed->values("set-string");
    for (const std::string &file : parsed->values("values")) {
        const auto text = ctx.readFile(file);
        if (!text) {
            return fail(ctx, "open " + file + ": no such file or directory");
        }
        options.values.files.push_back({file, *text});
    }
    const auto outcome = release.upgrade(options);
    if (!outcome) {
        const std::string &message = outcome.error().message;
        if (message.starts_with("UPGRADE FAILED: ")) {
            ctx.out().write("UPGRADE FAILED\nError: " + message.substr(16) + "\n");
        }
        return fail(ctx, message);
    }
    state.setHelmDeployedAt(state.world().now());
    state.syncCreationTimes();
    ctx.out().write("Release \"" + release.name() + "\" has been upgraded.\n" + statusBlock(state));
    writeNotes(ctx, outcome->notes);
    return CommandStatus::exited(0);
}

CommandStatus getValues(CommandContext &ctx, ToolState &state, const std::vector<std::string> &args)
{
    const auto parsed =
        parseFlags(args, {{"all", 'a', false}, {"revision", 0, true}, {"output", 0, true}});
    if (!parsed) {
        return fail(ctx, parsed.error().message);
    }
    if (parsed->positionals.size() != 2 || parsed->positionals[0] != "values") {
        return fail(ctx, "release name is required");
    }
    config::HelmRelease &release = state.world().helm();
    if (parsed->positionals[1] != release.name()) {
        return fail(ctx, "release: \"" + parsed->positionals[1] + "\" not found");
    }
    const config::Node values =
        parsed->isSet("all") ? release.computedValues() : release.getValues();
    // Fprintln of YAML that already ends in a newline: a blank line follows.
    ctx.out().write(marshalGoYaml(values) + "\n");
    return CommandStatus::exited(0);
}

CommandStatus list(CommandContext &ctx, ToolState &state)
{
    config::HelmRelease &release = state.world().helm();
    const std::string deployed = formatAnsic(state.helmDeployedAt());
    const std::vector<std::vector<std::string>> rows = {
        {"NAME", "REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION", "NAMESPACE"},
        {release.name(), std::to_string(release.revision()), deployed, "DEPLOYED",
         release.chartName(), "1.3.0", release.nameSpace()},
        {"istio-init", "1", deployed, "DEPLOYED", "istio-init-1.3.0", "1.3.0", release.nameSpace()},
    };
    // gosuri/uitable: every cell padded to its column's width, cells joined by a tab.
    std::vector<std::size_t> widths(rows.front().size(), 0);
    for (const auto &row : rows) {
        for (std::size_t c = 0; c < row.size(); ++c) {
            widths[c] = std::max(widths[c], row[c].size());
        }
    }
    std::string out;
    for (const auto &row : rows) {
        for (std::size_t c = 0; c < row.size(); ++c) {
            out += row[c] + std::string(widths[c] - row[c].size(), ' ');
            out += c + 1 < row.size() ? "\t" : "\n";
        }
    }
    ctx.out().write(out);
    return CommandStatus::exited(0);
}

} // namespace

Helm::Helm(std::shared_ptr<ToolState> state) : m_state(std::move(state)) {}

CommandStatus Helm::run(CommandContext &ctx)
{
    const std::vector<std::string> &argv = ctx.args();
    if (argv.size() < 2) {
        ctx.out().write("The Kubernetes package manager\n\n"
                        "Commands in this terminal: upgrade, get values, list (ls), version\n\n"
                        "Usage:\n  helm [command]\n");
        return CommandStatus::exited(0);
    }
    const std::string &command = argv[1];
    const std::vector<std::string> rest(argv.begin() + 2, argv.end());
    if (command == "upgrade") {
        return upgrade(ctx, *m_state, rest);
    }
    if (command == "get") {
        return getValues(ctx, *m_state, rest);
    }
    if (command == "ls" || command == "list") {
        return list(ctx, *m_state);
    }
    if (command == "version") {
        ctx.out().write("Client: " + std::string(VersionLine) +
                        "\nServer: " + std::string(VersionLine) + "\n");
        return CommandStatus::exited(0);
    }
    if (command == "status") {
        ctx.out().write(statusBlock(*m_state));
        return CommandStatus::exited(0);
    }
    static const std::vector<std::string> Known = {
        "completion", "create",   "delete",  "dependency", "fetch",    "history", "home",
        "init",       "inspect",  "install", "lint",       "package",  "plugin",  "repo",
        "reset",      "rollback", "search",  "serve",      "template", "test",    "verify"};
    if (std::find(Known.begin(), Known.end(), command) != Known.end()) {
        ctx.err().write("meshcraft: helm " + command +
                        " is not part of this simulator; the lab uses upgrade, get values and "
                        "ls.\n");
        return CommandStatus::exited(1);
    }
    return fail(ctx, "unknown command \"" + command +
                         "\" for \"helm\"\nRun 'helm --help' for "
                         "usage.");
}

CompletionSpec Helm::completion() const
{
    CompletionSpec upgradeSpec;
    upgradeSpec.flags = {completionFlag({"--reuse-values"}), completionFlag({"--reset-values"}),
                         completionFlag({"--set"}, true), completionFlag({"--set-string"}, true),
                         completionFlag({"-f", "--values"}, true, {}, {}, true)};
    CompletionSpec get;
    get.files = false;
    get.flags = {completionFlag({"-a", "--all"})};
    get.subcommands = {{"values", {}}};
    CompletionSpec root;
    root.files = false;
    root.subcommands = {
        {"get", get},   {"list", {}}, {"ls", {}}, {"status", {}}, {"upgrade", upgradeSpec},
        {"version", {}}};
    return root;
}

} // namespace meshcraft::core::shell::tools
