// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/tools/istioctl.h"

#include "core/config/analyzer.h"
#include "core/config/helm_release.h"
#include "core/mesh/topology.h"
#include "core/shell/tools/kube_inject.h"
#include "core/shell/tools/kubectl.h"
#include "core/shell/tools/tool_support.h"
#include "core/xds/control_plane.h"
#include "core/xds/proxy_config_dump.h"

namespace meshcraft::core::shell::tools {

namespace {

CommandStatus fail(CommandContext &ctx, std::string_view message)
{
    ctx.err().write("Error: " + std::string(message) + "\n");
    return CommandStatus::exited(1);
}

CommandStatus writeLines(CommandContext &ctx, const std::vector<std::string> &out,
                         const std::vector<std::string> &err, int status)
{
    for (const std::string &line : out) {
        ctx.out().write(line + "\n");
    }
    for (const std::string &line : err) {
        ctx.err().write(line + "\n");
    }
    return CommandStatus::exited(status);
}

CommandStatus kubeInjectCommand(CommandContext &ctx, ToolState &state,
                                const std::vector<std::string> &args)
{
    const auto parsed = parseFlags(args, {{"filename", 'f', true},
                                          {"output", 'o', true},
                                          {"meshConfigFile", 0, true},
                                          {"injectConfigFile", 0, true},
                                          {"valuesFile", 0, true},
                                          {"namespace", 'n', true}});
    if (!parsed) {
        return fail(ctx, parsed.error().message);
    }
    const std::string file = parsed->value("filename");
    if (file.empty()) {
        return fail(ctx, "filename not specified (see --filename or -f)");
    }
    const auto text = ctx.readFile(file);
    if (!text) {
        return fail(ctx, "open " + file + ": no such file or directory");
    }
    const auto injected = kubeInject(*text, file, state.world().helm().computedValues());
    if (!injected) {
        return fail(ctx, injected.error().message);
    }
    ctx.out().write(*injected);
    return CommandStatus::exited(0);
}

CommandStatus analyzeCommand(CommandContext &ctx, ToolState &state,
                             const std::vector<std::string> &args)
{
    const auto parsed = parseFlags(args, {{"namespace", 'n', true},
                                          {"all-namespaces", 'A', false},
                                          {"failure-threshold", 0, true},
                                          {"output-threshold", 0, true},
                                          {"suppress", 'S', true},
                                          {"use-kube", 'k', true},
                                          {"recursive", 'R', false},
                                          {"output", 'o', true}});
    if (!parsed) {
        return fail(ctx, parsed.error().message);
    }
    config::AnalysisInput input;
    if (parsed->value("use-kube", "true") != "false") {
        input.store = &state.world().store();
    }
    input.nameSpace = parsed->value("namespace");
    input.allNamespaces = parsed->isSet("all-namespaces");
    input.suppressions = parsed->values("suppress");
    for (const auto &[flag, target] : {std::pair{"failure-threshold", &input.failureThreshold},
                                       std::pair{"output-threshold", &input.outputThreshold}}) {
        if (parsed->has(flag)) {
            const auto level = config::parseAnalysisLevel(parsed->value(flag));
            if (!level) {
                return fail(ctx, "invalid level \"" + parsed->value(flag) +
                                     "\", valid options are [Info Warning Error]");
            }
            *target = *level;
        }
    }
    for (const std::string &file : parsed->positionals) {
        const auto text = ctx.readFile(file);
        if (!text) {
            return fail(ctx, "error reading file \"" + file + "\": open " + file +
                                 ": no such file or directory");
        }
        input.files.push_back({file, *text});
    }
    const config::AnalysisResult result = config::analyze(input);
    return writeLines(ctx, result.stdoutLines, result.stderrLines, result.exitStatus);
}

CommandStatus proxyConfigCommand(CommandContext &ctx, ToolState &state,
                                 const std::vector<std::string> &args)
{
    const auto parsed = parseFlags(args, {{"namespace", 'n', true},
                                          {"output", 'o', true},
                                          {"verbose", 0, true},
                                          {"port", 0, true},
                                          {"address", 0, true},
                                          {"type", 0, true},
                                          {"fqdn", 0, true},
                                          {"name", 0, true}});
    if (!parsed) {
        return fail(ctx, parsed.error().message);
    }
    static const std::vector<std::string> Kinds = {
        "listeners", "listener", "l", "clusters", "cluster", "c", "routes", "route", "r"};
    if (parsed->positionals.empty()) {
        ctx.err().write("Error: unknown command \"\" for \"istioctl proxy-config\"\n");
        return CommandStatus::exited(1);
    }
    const std::string &what = parsed->positionals.front();
    if (std::find(Kinds.begin(), Kinds.end(), what) == Kinds.end()) {
        ctx.err().write("Error: unknown command \"" + what + "\" for \"istioctl proxy-config\"\n");
        return CommandStatus::exited(1);
    }
    if (parsed->positionals.size() != 2) {
        return fail(ctx, "one pod name must be specified");
    }
    std::string podName = parsed->positionals[1];
    std::string nameSpace = parsed->value("namespace", "default");
    if (const std::size_t dot = podName.find('.'); dot != std::string::npos) {
        nameSpace = podName.substr(dot + 1);
        podName.resize(dot);
    }
    const mesh::PodView *pod = state.world().topology().pod(nameSpace, podName);
    if (!pod) {
        return fail(ctx, "failed to retrieve Pod " + nameSpace + "/" + podName + ": pods \"" +
                             podName + "\" not found");
    }
    const auto snapshot =
        pod->isProxy() ? state.world().controlPlane().snapshot(pod->proxyId()) : nullptr;
    if (!snapshot) {
        return fail(ctx, "failed to execute command on " + podName +
                             " sidecar: container istio-proxy not found");
    }
    const bool verbose = parsed->value("verbose", "true") != "false";
    if (what.front() == 'l') {
        ctx.out().write(xds::listenersTable(*snapshot, verbose));
    } else if (what.front() == 'c') {
        ctx.out().write(xds::clustersTable(*snapshot));
    } else {
        ctx.out().write(xds::routesTable(*snapshot, verbose));
    }
    return CommandStatus::exited(0);
}

CommandStatus versionCommand(CommandContext &ctx, ToolState &state,
                             const std::vector<std::string> &args)
{
    const auto parsed = parseFlags(args, {{"remote", 0, true},
                                          {"short", 's', true},
                                          {"output", 'o', true},
                                          {"istioNamespace", 'i', true}});
    if (!parsed) {
        return fail(ctx, parsed.error().message);
    }
    std::string out;
    for (const mesh::PodView &pod : state.world().topology().pods()) {
        const auto component = pod.labels.find("istio");
        if (pod.nameSpace == "istio-system" && component != pod.labels.end() && pod.ip != 0) {
            out += component->second + " version: 1.3.0\n";
        }
    }
    if (out.empty() || parsed->value("remote", "true") == "false") {
        if (out.empty()) {
            ctx.err().write("will use `--remote=false` to retrieve version info due to `no Istio "
                            "pods in namespace \"istio-system\"`\n");
        }
        ctx.out().write("1.3.0\n");
        return CommandStatus::exited(0);
    }
    ctx.out().write("client version: 1.3.0\n" + out);
    return CommandStatus::exited(0);
}

} // namespace

Istioctl::Istioctl(std::shared_ptr<ToolState> state) : m_state(std::move(state)) {}

CommandStatus Istioctl::run(CommandContext &ctx)
{
    const std::vector<std::string> &argv = ctx.args();
    if (argv.size() < 2) {
        ctx.out().write("Istio configuration command line utility for service operators to\n"
                        "debug and diagnose their Istio mesh.\n\n"
                        "Usage:\n  istioctl [command]\n\n"
                        "Available Commands (in this terminal):\n"
                        "  analyze       Analyze Istio configuration and print validation "
                        "messages\n"
                        "  kube-inject   Inject Envoy sidecar into Kubernetes pod resources\n"
                        "  proxy-config  Retrieve information about proxy configuration from "
                        "Envoy [kube only]\n"
                        "  version       Prints out build version information\n");
        return CommandStatus::exited(0);
    }
    std::string command = argv[1];
    std::vector<std::string> rest(argv.begin() + 2, argv.end());
    // 1.3 had analyze under `experimental`; the current name is accepted too.
    if ((command == "experimental" || command == "x") && !rest.empty() &&
        rest.front() == "analyze") {
        command = "analyze";
        rest.erase(rest.begin());
    }
    if (command == "kube-inject") {
        return kubeInjectCommand(ctx, *m_state, rest);
    }
    if (command == "analyze") {
        return analyzeCommand(ctx, *m_state, rest);
    }
    if (command == "proxy-config" || command == "pc") {
        return proxyConfigCommand(ctx, *m_state, rest);
    }
    if (command == "version") {
        return versionCommand(ctx, *m_state, rest);
    }
    ctx.err().write("Error: unknown command \"" + command +
                    "\" for \"istioctl\"\n"
                    "Run 'istioctl --help' for usage.\n");
    return CommandStatus::exited(1);
}

CompletionSpec Istioctl::completion() const
{
    std::weak_ptr<ToolState> weak = m_state;
    const CandidateProvider podNames = [weak](const CompletionRequest &request) {
        auto state = weak.lock();
        const auto positionals = request.positionals(2);
        if (positionals.empty()) {
            return std::vector<std::string>{"clusters", "listeners", "routes"};
        }
        return state ? kubectlResourceNames(*state, "pods",
                                            request.flagValue({"-n", "--namespace"}).value_or(""))
                     : std::vector<std::string>{};
    };
    CompletionSpec inject;
    inject.files = false;
    inject.flags = {completionFlag({"-f", "--filename"}, true, {}, {}, true)};
    CompletionSpec analyze;
    analyze.flags = {completionFlag({"-n", "--namespace"}, true),
                     completionFlag({"-A", "--all-namespaces"}),
                     completionFlag({"--failure-threshold"}, true, {"Info", "Warning", "Error"})};
    CompletionSpec proxyConfig;
    proxyConfig.files = false;
    proxyConfig.flags = {completionFlag({"-n", "--namespace"}, true)};
    proxyConfig.arguments = podNames;
    CompletionSpec root;
    root.files = false;
    root.subcommands = {{"analyze", analyze},
                        {"kube-inject", inject},
                        {"proxy-config", proxyConfig},
                        {"version", {}}};
    return root;
}

} // namespace meshcraft::core::shell::tools
