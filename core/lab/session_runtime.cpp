// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/common/text.h"
#include "core/config/mesh_config.h"
#include "core/config/store.h"
#include "core/lab/session_runtime_p.h"
#include "core/mesh/topology.h"
#include "core/probe/probe_runner.h"
#include "core/probe/trace_collector.h"
#include "core/relay/engine.h"
#include "core/shell/tools/kube_inject.h"
#include "core/shell/tools/world_tools.h"
#include "core/xds/control_plane.h"
#include "core/xds/proxy_config_dump.h"

#include <algorithm>
#include <set>

namespace meshcraft::core::lab::detail {

namespace {

using Clock = std::chrono::steady_clock;

/// The recent window of the cart's success rate.
constexpr std::chrono::seconds CartWindowLength{3};
/// How long a finished probe's flow may take to be complete in the trace collector.
constexpr std::chrono::milliseconds TraceSettle{500};

bool isProbeTool(const std::string &word)
{
    return word == "telnet" || word == "nc" || word == "redis-cli";
}

std::vector<std::string> words(const std::string &line)
{
    std::vector<std::string> out;
    for (const std::string &word : common::split(line, ' ')) {
        if (!word.empty()) {
            out.push_back(word);
        }
    }
    return out;
}

/// The destination a tool's arguments name: `telnet HOST [PORT]`, `nc [-v] HOST PORT`,
/// `redis-cli [-h HOST] [-p PORT] …`.
std::string destinationOf(const std::string &tool, const std::vector<std::string> &args)
{
    if (tool == "redis-cli") {
        std::string host = "127.0.0.1";
        std::string port = "6379";
        for (std::size_t i = 0; i + 1 < args.size(); ++i) {
            if (args[i] == "-h") {
                host = args[i + 1];
            } else if (args[i] == "-p") {
                port = args[i + 1];
            }
        }
        return host + ":" + port;
    }
    std::vector<std::string> positionals;
    for (const std::string &arg : args) {
        if (!common::startsWith(arg, "-")) {
            positionals.push_back(arg);
        }
    }
    if (positionals.empty()) {
        return {};
    }
    const std::string port = positionals.size() > 1 ? positionals[1] : "23";
    return positionals[0] + ":" + port;
}

std::string outcomeFromResult(probe::ProbeOutcome outcome)
{
    using probe::ProbeOutcome;
    switch (outcome) {
    case ProbeOutcome::Connected:
    case ProbeOutcome::ErrorReply:
        return "connected";
    case ProbeOutcome::Reply:
        return "pong";
    case ProbeOutcome::ClosedByPeer:
    case ProbeOutcome::ServerClosed:
    case ProbeOutcome::ConnectionReset:
    case ProbeOutcome::TransportError:
        return "closed";
    case ProbeOutcome::Refused:
    case ProbeOutcome::TimedOut:
    case ProbeOutcome::ConnectFailed:
    case ProbeOutcome::BadAddress:
        return "refused";
    case ProbeOutcome::Usage:
    case ProbeOutcome::Interrupted:
        break;
    }
    return "failed";
}

/// The trace's part of a probe record: the proxies, clusters and flags along the flow.
void fillFromTrace(ProbeRecord &record, const probe::Trace &trace)
{
    record.traceId = trace.traceId;
    record.flags = "-";
    for (const probe::TraceHop &hop : trace.hops) {
        record.proxies.push_back(hop.proxyId);
        if (hop.decided && !hop.decision.cluster.empty()) {
            record.clusters.push_back(hop.decision.cluster);
        }
        if (hop.flags != 0 && record.flags == "-") {
            record.flags = hop.flagsText();
        }
    }
    if (!trace.hops.empty()) {
        record.to = trace.hops.front().originalDestination.toString();
    }
    std::vector<std::string> path;
    for (const probe::TraceHop &hop : trace.hops) {
        path.push_back(hop.proxyId);
        if (hop.decided && !hop.decision.cluster.empty()) {
            path.push_back(hop.decision.cluster);
        }
    }
    const probe::TraceHop *last = trace.hops.empty() ? nullptr : &trace.hops.back();
    if (last && last->decided && last->decision.endpoint.port != 0) {
        path.push_back(last->decision.endpoint.toString());
    }
    if (record.flags != "-") {
        path.push_back("closed " + record.flags);
    }
    record.path = common::join(path, " -> ");
}

} // namespace

std::chrono::system_clock::time_point fixedTime()
{
    return std::chrono::system_clock::time_point{std::chrono::seconds{1570006800}};
}

Runtime::Runtime(std::shared_ptr<const Definition> definition, RuntimeHost &host)
    : m_definition(std::move(definition)), m_host(host)
{
}

Runtime::~Runtime()
{
    if (m_world) {
        m_world->removeObserver(this);
    }
    m_fs.removeObserver(this);
    if (m_terminal) {
        m_terminal->setObserver(nullptr);
    }
    // The tools hold references into the World: the terminal goes first.
    m_terminal.reset();
    m_world.reset();
}

common::Result<std::unique_ptr<Runtime>>
Runtime::create(std::shared_ptr<const Definition> definition, const RuntimeOptions &options,
                RuntimeHost &host)
{
    const Definition &lab = *definition;
    shell::WorldSpec spec;
    spec.cluster.name = lab.world.clusterName.empty() ? spec.cluster.name : lab.world.clusterName;
    spec.cluster.zone = lab.world.clusterZone.empty() ? spec.cluster.zone : lab.world.clusterZone;
    const auto orDefault = [](const std::string &value, const std::string &fallback) {
        return value.empty() ? fallback : value;
    };
    spec.cloud.project = orDefault(lab.world.project, spec.cloud.project);
    spec.cloud.projectNumber = orDefault(lab.world.projectNumber, spec.cloud.projectNumber);
    spec.cloud.account = orDefault(lab.world.account, spec.cloud.account);
    spec.cloud.region = orDefault(lab.world.region, spec.cloud.region);
    spec.cloud.zone = orDefault(lab.world.zone, spec.cloud.zone);
    spec.cloud.network = orDefault(lab.world.network, spec.cloud.network);
    spec.cloud.reservedIpRanges = lab.world.reservedIpRanges;
    spec.istio.release = lab.world.istioRelease;
    spec.istio.valuesFiles.push_back({lab.world.istioValuesPath, lab.world.istioValuesText});
    spec.istio.set = lab.world.istioSet;
    for (const WorldDef::Object &object : lab.world.objects) {
        spec.objects.push_back({object.file, object.text, object.inject});
    }
    for (const auto &[name, value] : lab.world.env) {
        spec.env[name] = value;
    }
    spec.injector = [](std::string_view yaml, const std::string &name, const config::Node &values) {
        return shell::tools::kubeInject(yaml, name, values);
    };
    if (options.fixedClock) {
        spec.clock = [] { return fixedTime(); };
    }
    spec.drainDuration = options.drainDuration;
    spec.cartInterval = options.cartInterval;

    std::unique_ptr<Runtime> runtime(new Runtime(std::move(definition), host));
    auto world = shell::World::create(std::move(spec));
    if (!world) {
        return tl::unexpected(world.error());
    }
    runtime->m_world = std::move(*world);

    // The learner's machine: home, $WORKSHOP_HOME with the lab's files, the exported env.
    shell::HostShellOptions shellOptions;
    for (const auto &[name, value] : lab.world.env) {
        if (name == "WORKSHOP_HOME") {
            shellOptions.workshopHome = value;
        }
    }
    auto hostShell = shell::makeHostShell(runtime->m_fs, shellOptions);
    for (const auto &[name, value] : lab.world.env) {
        hostShell->variables().exportVariable(name, value);
    }
    // Where the workshop unpacked Istio: helm upgrade names the chart folder by path.
    if (!lab.world.istioChart.empty()) {
        (void)runtime->m_fs.writeFile(
            shellOptions.workshopHome + "/" + lab.world.istioChart +
                "/install/kubernetes/helm/istio/Chart.yaml",
            "apiVersion: v1\nname: istio\nversion: " +
                lab.world.istioChart.substr(lab.world.istioChart.find('-') + 1) + "\n",
            true);
    }
    for (const FileDef &file : lab.files) {
        (void)runtime->m_fs.writeFile(lab.workshopFilesDir() + "/" + file.path, file.content, true);
    }
    shell::InterpreterOptions interpreterOptions;
    RuntimeHost *hostPtr = &host;
    interpreterOptions.wake = [hostPtr] { hostPtr->wake(); };
    runtime->m_terminal =
        std::make_unique<shell::Interpreter>(std::move(hostShell), interpreterOptions);
    shell::tools::registerWorldTools(*runtime->m_terminal, *runtime->m_world);
    runtime->m_originals = runtime->m_fs.snapshot();
    runtime->m_prompt = runtime->m_terminal->prompt();

    runtime->m_terminal->setObserver(runtime.get());
    runtime->m_fs.addObserver(runtime.get());
    runtime->m_world->addObserver(runtime.get());
    return runtime;
}

void Runtime::submit(const std::string &line)
{
    m_host.emit(events::InputLine{m_prompt, line, m_attached});
    m_terminal->submitLine(line);
}

std::string Runtime::absolutePath(const std::string &path) const
{
    if (common::startsWith(path, "/")) {
        return shell::VirtualFs::normalize(path);
    }
    return shell::VirtualFs::normalize(m_definition->workshopFilesDir() + "/" + path);
}

std::string Runtime::dumpState()
{
    std::string out = m_world->dumpState();
    std::map<std::string, std::string> before;
    for (const auto &entry : m_originals.entries) {
        if (!entry.isDirectory) {
            before[entry.path] = entry.content;
        }
    }
    std::string workspace;
    std::set<std::string> seen;
    for (const auto &entry : m_fs.snapshot().entries) {
        if (entry.isDirectory) {
            continue;
        }
        seen.insert(entry.path);
        const auto it = before.find(entry.path);
        if (it == before.end() || it->second != entry.content) {
            workspace += "--- " + entry.path + "\n" + entry.content;
            if (!entry.content.empty() && entry.content.back() != '\n') {
                workspace += "\n";
            }
        }
    }
    for (const auto &[path, content] : before) {
        if (!seen.count(path)) {
            workspace += "--- " + path + " (removed)\n";
        }
    }
    out += "# workspace files changed from the lab's originals\n";
    out += workspace.empty() ? "(none)\n" : workspace;
    return out;
}

std::shared_ptr<const TopologySnapshot> Runtime::buildTopology()
{
    auto topology = std::make_shared<TopologySnapshot>();
    const config::Store &objects = m_world->store();
    topology->storeRevision = objects.revision();
    for (const config::StoredObject *ns : objects.list(config::Kind::Namespace)) {
        topology->namespaces.push_back(ns->resource.metadata.name);
    }
    for (const mesh::PodView &pod : m_world->topology().pods()) {
        topology->pods.push_back({pod.name, pod.nameSpace, pod.ip ? xds::formatIpv4(pod.ip) : "",
                                  pod.hasSidecar, pod.isGateway, pod.deployment, pod.image});
    }
    for (const mesh::ServiceView &service : m_world->topology().services()) {
        TopologySnapshot::Service s{service.name,
                                    service.nameSpace,
                                    service.clusterIP ? xds::formatIpv4(service.clusterIP) : "",
                                    {}};
        for (const config::ServicePortSpec &port : service.ports) {
            s.ports.push_back(port.port);
        }
        topology->services.push_back(std::move(s));
    }
    topology->instances = m_world->memorystore().allInstances();
    for (const config::StoredObject *entry : objects.list(config::Kind::ServiceEntry)) {
        const config::Node *spec = entry->resource.spec();
        const config::Node *hosts = spec ? spec->find("hosts") : nullptr;
        const config::Node *addresses = spec ? spec->find("addresses") : nullptr;
        std::vector<std::string> addressList;
        if (addresses && addresses->isSequence()) {
            for (const config::Node &address : addresses->items) {
                addressList.push_back(address.scalar);
            }
        }
        if (hosts && hosts->isSequence()) {
            for (const config::Node &host : hosts->items) {
                topology->serviceEntryHosts.push_back(
                    host.scalar +
                    (addressList.empty() ? "" : " (" + common::join(addressList, ", ") + ")"));
            }
        }
    }
    topology->outboundTrafficPolicy =
        config::outboundModeName(config::meshConfigFromStore(objects).config.outboundTrafficPolicy);
    return topology;
}

std::vector<ProxySummary> Runtime::buildProxies()
{
    std::vector<ProxySummary> out;
    for (const mesh::PodView *pod : m_world->topology().proxies()) {
        out.push_back({pod->proxyId(), pod->name, pod->nameSpace, pod->isGateway,
                       pod->ip ? xds::formatIpv4(pod->ip) : ""});
    }
    return out;
}

// ---- CheckWorld -------------------------------------------------------------------------------

const config::Store &Runtime::store() const
{
    return m_world->store();
}

bool Runtime::serviceEnabled(const std::string &service) const
{
    return m_world->memorystore().isServiceEnabled(service);
}

std::optional<std::string> Runtime::instanceState(const std::string &name) const
{
    for (const cloud::Instance &instance : m_world->memorystore().allInstances()) {
        if (instance.name == name) {
            return std::string(cloud::instanceStateName(instance.state));
        }
    }
    return std::nullopt;
}

std::optional<CartWindow> Runtime::windowOf(const std::deque<CartSample> &samples,
                                            const std::string &target) const
{
    const CartSample *last = nullptr;
    const CartSample *first = nullptr;
    const auto since = Clock::now() - CartWindowLength;
    for (const CartSample &sample : samples) {
        if (!target.empty() && sample.target != target) {
            continue;
        }
        if (!first || (sample.at < since && first->at < sample.at)) {
            first = &sample;
        }
        last = &sample;
    }
    if (!last) {
        return std::nullopt;
    }
    CartWindow window;
    window.target = last->target;
    std::uint64_t successes = last->successes;
    std::uint64_t failures = last->failures;
    if (first != last) {
        successes -= std::min(successes, first->successes);
        failures -= std::min(failures, first->failures);
    }
    window.operations = successes + failures;
    window.successRate = window.operations == 0 ? 0.0
                                                : static_cast<double>(successes) /
                                                      static_cast<double>(window.operations);
    return window;
}

std::optional<CartWindow> Runtime::cartWindow(const std::string &target) const
{
    const std::lock_guard lock(m_cartMutex);
    std::optional<CartWindow> best;
    for (const auto &[pod, samples] : m_cart) {
        const auto window = windowOf(samples, target);
        if (window && (!best || window->operations > best->operations)) {
            best = window;
        }
    }
    return best;
}

std::optional<ProbeRecord> Runtime::runProbe(const ProbeCondition &condition)
{
    const mesh::PodView *pod = findPod(condition.from, condition.nameSpace);
    const auto tool = probe::toolNamed(condition.tool);
    if (!pod || !tool) {
        return std::nullopt;
    }
    const auto context = m_world->podContext(pod->nameSpace, pod->name);
    if (!context) {
        return std::nullopt;
    }
    const std::size_t colon = condition.to.rfind(':');
    const std::string host = condition.to.substr(0, colon);
    const std::string port = colon == std::string::npos ? "" : condition.to.substr(colon + 1);
    std::vector<std::string> args;
    std::vector<std::string> input;
    if (*tool == probe::Tool::RedisCli) {
        args = {"-h", host, "-p", port, "ping"};
    } else {
        args = {host, port};
        input = {"PING"};
    }
    const probe::ProbeResult result =
        m_world->probes().run(*tool, args, *context, input, true, std::chrono::seconds(15));
    ProbeRecord record;
    record.sequence = ++m_sequence;
    record.step = m_host.currentStep();
    record.pod = pod->name;
    record.nameSpace = pod->nameSpace;
    record.tool = condition.tool;
    record.to = condition.to;
    record.exitStatus = result.exitStatus;
    record.outcome = outcomeFromResult(result.outcome);
    fillFromTrace(record, result.trace);
    return record;
}

// ---- Probes the learner runs ------------------------------------------------------------------

const mesh::PodView *Runtime::findPod(const std::string &name, const std::string &nameSpace) const
{
    const auto &pods = m_world->topology().pods();
    const bool byDeployment =
        common::startsWith(name, "deploy/") || common::startsWith(name, "deployment/");
    const std::string bare =
        name.substr(name.find('/') == std::string::npos ? 0 : name.find('/') + 1);
    const mesh::PodView *found = nullptr;
    for (const mesh::PodView &pod : pods) {
        const bool matches = byDeployment ? pod.deployment == bare : pod.name == bare;
        if (!matches || (!nameSpace.empty() && pod.nameSpace != nameSpace)) {
            continue;
        }
        if (!found) {
            found = &pod;
        }
    }
    return found;
}

std::uint64_t Runtime::latestTrace(const std::string &proxyId) const
{
    if (proxyId.empty()) {
        return 0;
    }
    const auto recent = m_world->traces()->recent(proxyId, 1);
    return recent.empty() ? 0 : recent.back().traceId;
}

std::optional<Runtime::PendingProbe> Runtime::probeOf(const std::string &context,
                                                      const std::string &line)
{
    const std::vector<std::string> argv = words(line);
    if (argv.empty()) {
        return std::nullopt;
    }
    PendingProbe probe;
    probe.context = context;
    probe.line = line;
    probe.step = m_host.currentStep();
    std::vector<std::string> toolArgs;
    std::string podName;
    std::string nameSpace;
    if (context != "host" && isProbeTool(argv[0])) {
        probe.tool = argv[0];
        podName = context;
        toolArgs.assign(argv.begin() + 1, argv.end());
    } else if (context == "host" && argv[0] == "kubectl" && argv.size() > 2 && argv[1] == "exec") {
        // kubectl exec [-it] [-n NS] [-c C] POD -- TOOL ARGS…
        const auto dashes = std::find(argv.begin(), argv.end(), "--");
        if (dashes == argv.end() || dashes + 1 == argv.end() || !isProbeTool(*(dashes + 1))) {
            return std::nullopt;
        }
        for (auto it = argv.begin() + 2; it != dashes; ++it) {
            if (*it == "-n" || *it == "--namespace" || *it == "-c" || *it == "--container") {
                if (*it == "-n" || *it == "--namespace") {
                    nameSpace = it + 1 != dashes ? *(it + 1) : "";
                }
                if (it + 1 != dashes) {
                    ++it;
                }
            } else if (common::startsWith(*it, "--namespace=")) {
                nameSpace = it->substr(12);
            } else if (!common::startsWith(*it, "-") && podName.empty()) {
                podName = *it;
            }
        }
        probe.tool = *(dashes + 1);
        toolArgs.assign(dashes + 2, argv.end());
    } else {
        return std::nullopt;
    }
    const mesh::PodView *pod = findPod(podName, nameSpace);
    if (!pod) {
        return std::nullopt;
    }
    probe.pod = pod->name;
    probe.nameSpace = pod->nameSpace;
    probe.proxyId = pod->hasSidecar ? pod->proxyId() : std::string();
    probe.lastTraceBefore = latestTrace(probe.proxyId);
    probe.destination = destinationOf(probe.tool, toolArgs);
    return probe;
}

// ---- WorldObserver ----------------------------------------------------------------------------

void Runtime::onStoreChanged(const config::StoreChange &change)
{
    events::StoreChanged event;
    event.revision = change.revision;
    for (const config::ObjectChange &object : change.changes) {
        const char *verb = object.type == config::ChangeType::Added      ? "added "
                           : object.type == config::ChangeType::Modified ? "modified "
                                                                         : "deleted ";
        event.objects.push_back(verb + object.key.toString());
    }
    m_host.emit(std::move(event));
    m_host.onTopologyDirty();
}

void Runtime::onConfigPushed(const xds::SnapshotSet &snapshots)
{
    events::ConfigPushed event;
    for (const auto &snapshot : snapshots.snapshots) {
        event.proxies.push_back(snapshot->proxyId);
    }
    m_host.emit(std::move(event));
}

void Runtime::onConnectionEvents(const std::vector<relay::ConnectionEvent> &batch)
{
    // Relay thread. A connection's Bytes events within one batch come down to the last one.
    std::map<std::uint64_t, std::size_t> lastBytes;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (batch[i].kind == relay::ConnectionEvent::Kind::Bytes) {
            lastBytes[batch[i].connectionId] = i;
        }
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const relay::ConnectionEvent &e = batch[i];
        events::Connection c;
        switch (e.kind) {
        case relay::ConnectionEvent::Kind::Opened:
            c.kind = events::Connection::Kind::Opened;
            break;
        case relay::ConnectionEvent::Kind::Decision:
        case relay::ConnectionEvent::Kind::UpstreamConnected:
            c.kind = events::Connection::Kind::Decided;
            break;
        case relay::ConnectionEvent::Kind::Bytes:
            if (lastBytes[e.connectionId] != i) {
                continue;
            }
            c.kind = events::Connection::Kind::Bytes;
            break;
        case relay::ConnectionEvent::Kind::Closed:
            c.kind = events::Connection::Kind::Closed;
            c.flags = relay::formatResponseFlags(e.flags);
            break;
        }
        c.connectionId = e.connectionId;
        c.traceId = e.traceId;
        c.parentId = e.parentId;
        c.proxyId = e.proxyId;
        c.downstream = e.downstream.toString();
        c.originalDestination = e.originalDestination.toString();
        c.cluster = e.decision.cluster;
        c.bytesReceived = e.bytesReceived;
        c.bytesSent = e.bytesSent;
        c.detail = e.detail;
        m_host.emit(std::move(c));
    }
}

void Runtime::onCartStats(const std::string &pod, const workload::CartStats &stats)
{
    // A cart worker's thread.
    std::optional<CartWindow> window;
    {
        const std::lock_guard lock(m_cartMutex);
        auto &samples = m_cart[pod];
        samples.push_back({Clock::now(), stats.successes, stats.failures, stats.target});
        const auto horizon = Clock::now() - 4 * CartWindowLength;
        while (samples.size() > 2 && samples.front().at < horizon) {
            samples.pop_front();
        }
        window = windowOf(samples, stats.target);
    }
    m_host.emit(events::CartStatsChanged{pod, stats, window ? window->successRate : 0.0});
}

void Runtime::onInstanceChanged(cloud::InstanceChange change, const cloud::Instance &instance)
{
    // The thread that changed the cloud. D7: once the instance is ready, the learner's shell
    // has its address as $REDIS_ADDR; posted to the terminal so it lands before the command
    // that created it finishes.
    m_host.emit(events::InstanceChanged{change, instance});
    if (change == cloud::InstanceChange::Ready) {
        shell::Interpreter *terminal = m_terminal.get();
        const std::string host = instance.host;
        terminal->post([terminal, host] {
            terminal->hostContext().variables().exportVariable("REDIS_ADDR", host);
        });
    }
    RuntimeHost *owner = &m_host;
    m_terminal->post([owner] { owner->onTopologyDirty(); });
}

// ---- InterpreterObserver ----------------------------------------------------------------------

void Runtime::onOutput(shell::OutputStream stream, std::string_view text)
{
    ++m_outputCount;
    m_lastOutput = Clock::now();
    m_host.emit(events::CommandOutput{stream == shell::OutputStream::Stderr, std::string(text)});
}

void Runtime::onAction(const shell::ShellAction &action)
{
    events::TerminalAction event;
    switch (action.kind) {
    case shell::ShellAction::Kind::ClearScreen:
        event.kind = events::TerminalAction::Kind::Clear;
        break;
    case shell::ShellAction::Kind::OpenEditor:
        event.kind = events::TerminalAction::Kind::OpenEditor;
        break;
    case shell::ShellAction::Kind::Exit:
        event.kind = events::TerminalAction::Kind::Exit;
        break;
    }
    event.path = action.path;
    event.exitStatus = action.exitStatus;
    m_host.emit(std::move(event));
}

void Runtime::onLineStarted(std::string_view context, std::string_view line)
{
    m_host.emit(events::CommandStarted{std::string(context), std::string(line)});
    if (auto probe = probeOf(std::string(context), std::string(line))) {
        m_pendingProbes.push_back(std::move(*probe));
    }
}

void Runtime::onLineFinished(std::string_view context, std::string_view line, int exitStatus)
{
    m_host.emit(events::CommandFinished{std::string(context), std::string(line), exitStatus});
    m_commands.push_back(
        {++m_sequence, m_host.currentStep(), std::string(context), std::string(line), exitStatus});
    const auto pending =
        std::find_if(m_pendingProbes.rbegin(), m_pendingProbes.rend(),
                     [&](const PendingProbe &p) { return p.context == context && p.line == line; });
    if (pending != m_pendingProbes.rend()) {
        const PendingProbe probe = *pending;
        m_pendingProbes.erase(std::next(pending).base());
        ProbeRecord record;
        record.sequence = ++m_sequence;
        record.step = probe.step;
        record.pod = probe.pod;
        record.nameSpace = probe.nameSpace;
        record.tool = probe.tool;
        record.to = probe.destination;
        record.exitStatus = exitStatus;
        std::optional<probe::Trace> trace;
        if (!probe.proxyId.empty()) {
            std::uint64_t first = 0;
            for (const probe::Trace &t : m_world->traces()->recent(probe.proxyId, 16)) {
                if (t.traceId > probe.lastTraceBefore && (first == 0 || t.traceId < first)) {
                    first = t.traceId;
                }
            }
            if (first != 0) {
                // `kubectl exec POD -- redis-cli …` ends twice (the pod's command, the host's
                // line): one flow, one record.
                if (std::any_of(m_probes.begin(), m_probes.end(),
                                [&](const ProbeRecord &p) { return p.traceId == first; })) {
                    m_host.onCommandFinished();
                    return;
                }
                trace = m_world->traces()->waitForComplete(first, TraceSettle);
                fillFromTrace(record, *trace);
            }
        }
        record.outcome =
            outcomeOf(probe.tool, exitStatus, trace ? &*trace : nullptr, probe.proxyId);
        if (record.path.empty()) {
            record.path = probe.pod + " -> " + record.to + " (no sidecar)";
        }
        m_host.emit(events::ProbeObserved{record});
        m_probes.push_back(std::move(record));
    }
    m_host.onCommandFinished();
}

void Runtime::onAwaitingInput(InputState state, std::string_view prompt)
{
    ++m_promptsAwaited;
    m_prompt = std::string(prompt);
    m_attached = state == InputState::Attached;
    m_host.emit(events::PromptChanged{m_prompt, m_attached, state == InputState::Continuation});
}

// ---- VirtualFsObserver ------------------------------------------------------------------------

void Runtime::onFsChanged(const shell::FsChange &change)
{
    if (!change.isDirectory) {
        m_host.emit(
            events::FileChanged{change.path, change.kind == shell::FsChange::Kind::Removed});
    }
    m_host.onWorkspaceChanged();
}

} // namespace meshcraft::core::lab::detail
