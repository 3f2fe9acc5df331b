// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/tools/kubectl.h"

#include "core/common/text.h"
#include "core/config/kubectl_messages.h"
#include "core/config/resource.h"
#include "core/config/store.h"
#include "core/mesh/ip_allocator.h"
#include "core/mesh/topology.h"
#include "core/relay/engine.h"
#include "core/shell/tools/go_yaml.h"
#include "core/shell/tools/pod_shell.h"
#include "core/shell/tools/tool_support.h"
#include "core/xds/control_plane.h"
#include "core/xds/proxy_config_dump.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace meshcraft::core::shell::tools {

using config::Kind;
using config::Node;
using config::ObjectKey;
using config::StoredObject;

namespace {

constexpr std::string_view ExecDeprecation =
    "kubectl exec [POD] [COMMAND] is DEPRECATED and will be removed in a future version. Use "
    "kubectl exec [POD] -- [COMMAND] instead.\n";

const std::vector<FlagDef> &commonFlags()
{
    static const std::vector<FlagDef> flags = {
        {"namespace", 'n', true}, {"context", 0, true}, {"kubeconfig", 0, true},
        {"help", 'h', false},     {"v", 'v', true},
    };
    return flags;
}

std::vector<FlagDef> flagsFor(std::string_view command)
{
    std::vector<FlagDef> flags = commonFlags();
    const auto add = [&](std::initializer_list<FlagDef> more) {
        flags.insert(flags.end(), more.begin(), more.end());
    };
    if (command == "apply" || command == "create" || command == "replace") {
        add({{"filename", 'f', true},
             {"validate", 0, true},
             {"save-config", 0, false},
             {"force", 0, false},
             {"recursive", 'R', false}});
    } else if (command == "delete") {
        add({{"filename", 'f', true},
             {"ignore-not-found", 0, false},
             {"wait", 0, true},
             {"now", 0, false},
             {"force", 0, false},
             {"grace-period", 0, true},
             {"recursive", 'R', false}});
    } else if (command == "get") {
        add({{"output", 'o', true},
             {"all-namespaces", 'A', false},
             {"selector", 'l', true},
             {"show-labels", 0, false},
             {"no-headers", 0, false}});
    } else if (command == "describe") {
        add({{"all-namespaces", 'A', false}, {"selector", 'l', true}});
    } else if (command == "exec") {
        add({{"stdin", 'i', false},
             {"tty", 't', false},
             {"container", 'c', true},
             {"quiet", 'q', false}});
    } else if (command == "logs") {
        add({{"container", 'c', true},
             {"follow", 'f', false},
             {"tail", 0, true},
             {"previous", 'p', false},
             {"timestamps", 0, false},
             {"all-containers", 0, false}});
    } else if (command == "label") {
        add({{"overwrite", 0, false}, {"all-namespaces", 'A', false}});
    } else if (command == "version") {
        add({{"client", 0, false}, {"output", 'o', true}});
    }
    return flags;
}

std::string withNewline(std::string text)
{
    if (text.empty() || text.back() != '\n') {
        text += '\n';
    }
    return text;
}

std::string quoted(std::string_view text)
{
    return '"' + std::string(text) + '"';
}

std::string notFound(Kind kind, std::string_view name)
{
    return "Error from server (NotFound): " + config::apiResourceName(kind) + ' ' + quoted(name) +
           " not found\n";
}

/// The subcommands kubectl has; the ones Meshcraft does not model get a clear message.
bool isKnownSubcommand(std::string_view name)
{
    static const std::set<std::string, std::less<>> Known = {
        "annotate",     "api-resources", "api-versions", "apply",      "attach",   "auth",
        "autoscale",    "certificate",   "cluster-info", "completion", "config",   "cordon",
        "cp",           "create",        "debug",        "delete",     "describe", "diff",
        "drain",        "edit",          "events",       "exec",       "explain",  "expose",
        "get",          "kustomize",     "label",        "logs",       "patch",    "plugin",
        "port-forward", "proxy",         "replace",      "rollout",    "run",      "scale",
        "set",          "taint",         "top",          "uncordon",   "version",  "wait"};
    return Known.count(name) > 0;
}

/// What one kubectl invocation works with.
struct Invocation
{
    CommandContext &ctx;
    ToolState &state;
    std::string command;
    ParsedArgs args;

    World &world() { return state.world(); }
    config::Store &store() { return state.world().store(); }
    /// `-n` as given, else "default".
    std::string nameSpace() const { return args.value("namespace", "default"); }
    bool allNamespaces() const { return args.isSet("all-namespaces"); }
    /// `get a,b`: names show their kind, and the tables are collected first.
    bool kindPrefix = false;
    std::string *captured = nullptr;
    void out(std::string_view text)
    {
        if (captured) {
            *captured += text;
        } else {
            ctx.out().write(text);
        }
    }
    void err(std::string_view text) { ctx.err().write(text); }
    CommandStatus error(std::string_view message)
    {
        err("error: " + std::string(message) + "\n");
        return CommandStatus::exited(1);
    }
};

// ---- apply, create, replace, delete -f -------------------------------------------------------

/// kubectl's words for a text that could not be turned into objects.
std::string parseErrorLine(const common::Diagnostic &diagnostic, const std::string &source)
{
    if (diagnostic.code == "kubectl.no-objects") {
        return "error: " + diagnostic.message + "\n";
    }
    if (diagnostic.code.starts_with("yaml.")) {
        return "error: error parsing " + source + ": error converting YAML to JSON: yaml: line " +
               std::to_string(diagnostic.location.line) + ": " + diagnostic.message + "\n";
    }
    if (diagnostic.code == "k8s.missing-kind" || diagnostic.code == "k8s.missing-apiversion") {
        return "error: error validating " + quoted(source) + ": error validating data: " +
               (diagnostic.code == "k8s.missing-kind" ? "kind not set" : "apiVersion not set") +
               "; if you choose to ignore these errors, turn validation off with "
               "--validate=false\n";
    }
    return "error: " + diagnostic.message + "\n";
}

CommandStatus runFileVerb(Invocation &run)
{
    const std::vector<std::string> files = run.args.values("filename");
    if (files.empty()) {
        return run.error("must specify one of -f and -k");
    }
    config::ApplyOptions options;
    options.nameSpace = run.args.value("namespace");
    std::string errors;
    for (const std::string &file : files) {
        const auto text = run.ctx.readFile(file);
        if (!text) {
            errors += "error: the path " + quoted(file) + " does not exist\n";
            continue;
        }
        config::Store &store = run.store();
        // kubectl names standard input STDIN in its messages.
        const std::string source = file == "-" ? std::string("STDIN") : file;
        config::ApplyResult result;
        if (run.command == "apply") {
            result = store.applyText(*text, source, config::ApplyMode::PerDocument, options);
        } else if (run.command == "create") {
            result = store.createText(*text, source, config::ApplyMode::PerDocument, options);
        } else if (run.command == "replace") {
            result = store.replaceText(*text, source, config::ApplyMode::PerDocument, options);
        } else {
            result = store.removeText(*text, source, config::ApplyMode::PerDocument, options);
        }
        for (const config::DocumentResult &document : result.documents) {
            for (const std::string &warning : document.warnings) {
                run.err("Warning: " + warning + "\n");
            }
            if (document.output.empty()) {
                continue;
            }
            if (document.ok()) {
                run.out(withNewline(document.output));
            } else {
                errors += withNewline(document.output);
            }
        }
        for (const common::Diagnostic &diagnostic : result.parseDiagnostics) {
            if (diagnostic.severity == common::Severity::Error) {
                errors += parseErrorLine(diagnostic, source);
            }
        }
    }
    run.state.syncCreationTimes();
    run.err(errors);
    return CommandStatus::exited(errors.empty() ? 0 : 1);
}

// ---- resource types and names ----------------------------------------------------------------

struct Target
{
    const config::KindInfo *kind = nullptr;
    std::vector<std::string> names;
};

/// `TYPE [NAME...]` or `TYPE/NAME...`; an error line when the type is unknown.
common::Result<Target> resolveTarget(const std::vector<std::string> &positionals)
{
    Target target;
    for (const std::string &word : positionals) {
        const std::size_t slash = word.find('/');
        const std::string type = slash == std::string::npos ? word : word.substr(0, slash);
        if (slash != std::string::npos || !target.kind) {
            const config::KindInfo *info = config::findKindByResourceName(type);
            if (!info) {
                return common::fail("kubectl.unknown-type",
                                    "the server doesn't have a resource type " + quoted(type));
            }
            if (target.kind && target.kind != info) {
                return common::fail("kubectl.mixed-types",
                                    "there is no need to specify a resource type as a separate "
                                    "argument when passing arguments in resource/name form");
            }
            target.kind = info;
            if (slash == std::string::npos) {
                continue;
            }
            target.names.push_back(word.substr(slash + 1));
            continue;
        }
        target.names.push_back(word);
    }
    return target;
}

/// The labels as stored now (server-side edits such as `kubectl label` included).
std::map<std::string, std::string> liveLabels(const StoredObject &object)
{
    std::map<std::string, std::string> labels;
    const Node *metadata = object.resource.document.find("metadata");
    const Node *node = metadata ? metadata->find("labels") : nullptr;
    if (node && node->isMap()) {
        for (const config::MapEntry &entry : node->entries) {
            labels[entry.key] = entry.value.scalar;
        }
    }
    return labels;
}

/// `-l`: equality-based terms, comma-separated (`app=busybox`, `app!=x`, `app`, `!app`).
bool selectorMatches(const std::string &selector, const std::map<std::string, std::string> &labels)
{
    for (const std::string &raw : common::split(selector, ',')) {
        const std::string term = common::trim(raw);
        if (term.empty()) {
            continue;
        }
        const std::size_t notEquals = term.find("!=");
        const std::size_t equals = term.find('=');
        if (notEquals != std::string::npos) {
            const auto it = labels.find(common::trim(term.substr(0, notEquals)));
            if (it != labels.end() && it->second == common::trim(term.substr(notEquals + 2))) {
                return false;
            }
        } else if (equals != std::string::npos) {
            const std::size_t valueStart =
                term.compare(equals, 2, "==") == 0 ? equals + 2 : equals + 1;
            const auto it = labels.find(common::trim(term.substr(0, equals)));
            if (it == labels.end() || it->second != common::trim(term.substr(valueStart))) {
                return false;
            }
        } else if (term.front() == '!') {
            if (labels.count(common::trim(term.substr(1)))) {
                return false;
            }
        } else if (!labels.count(term)) {
            return false;
        }
    }
    return true;
}

/// The objects a get or describe lists: the named ones, or all of the namespace(s).
std::vector<const StoredObject *> selectObjects(Invocation &run, const Target &target,
                                                std::string &errors)
{
    std::vector<const StoredObject *> objects;
    const Kind kind = target.kind->kind;
    const std::string nameSpace = target.kind->namespaced ? run.nameSpace() : std::string();
    if (target.names.empty()) {
        objects = !target.kind->namespaced || run.allNamespaces()
                      ? run.store().list(kind)
                      : run.store().list(kind, nameSpace);
        if (run.args.has("selector")) {
            const std::string selector = run.args.value("selector");
            std::erase_if(objects, [&](const StoredObject *object) {
                return !selectorMatches(selector, liveLabels(*object));
            });
        }
        return objects;
    }
    for (const std::string &name : target.names) {
        if (const StoredObject *object = run.store().get(kind, nameSpace, name)) {
            objects.push_back(object);
        } else {
            errors += notFound(kind, name);
        }
    }
    return objects;
}

// ---- get -------------------------------------------------------------------------------------

std::string nodeName(World &world)
{
    return "gke-" + world.spec().cluster.name + "-default-pool-" +
           stableHex(world.spec().cluster.name, 8) + "-" + stableHex("node-0", 4);
}

std::string jsonList(const Node *node)
{
    return node && node->isSequence() ? config::toJson(*node) : std::string();
}

std::string scalarAt(const Node *node, std::initializer_list<std::string_view> path)
{
    for (const std::string_view key : path) {
        if (!node) {
            return {};
        }
        node = node->find(key);
    }
    return node && node->isScalar() ? node->scalar : std::string();
}

std::vector<std::string> headersFor(Kind kind, bool wide)
{
    switch (kind) {
    case Kind::Pod:
        if (wide) {
            return {"NAME", "READY", "STATUS",         "RESTARTS",       "AGE",
                    "IP",   "NODE",  "NOMINATED NODE", "READINESS GATES"};
        }
        return {"NAME", "READY", "STATUS", "RESTARTS", "AGE"};
    case Kind::Service:
        if (wide) {
            return {"NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"};
        }
        return {"NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"};
    case Kind::Deployment:
        if (wide) {
            return {"NAME", "READY",      "UP-TO-DATE", "AVAILABLE",
                    "AGE",  "CONTAINERS", "IMAGES",     "SELECTOR"};
        }
        return {"NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"};
    case Kind::Namespace:
        return {"NAME", "STATUS", "AGE"};
    case Kind::ConfigMap:
        return {"NAME", "DATA", "AGE"};
    case Kind::ServiceEntry:
        return {"NAME", "HOSTS", "LOCATION", "RESOLUTION", "AGE"};
    case Kind::DestinationRule:
        return {"NAME", "HOST", "AGE"};
    case Kind::VirtualService:
        return {"NAME", "GATEWAYS", "HOSTS", "AGE"};
    case Kind::Gateway:
    case Kind::Sidecar:
        return {"NAME", "AGE"};
    }
    return {"NAME", "AGE"};
}

std::string servicePorts(const Node *spec)
{
    std::string out;
    const Node *ports = spec ? spec->find("ports") : nullptr;
    if (ports && ports->isSequence()) {
        for (const Node &port : ports->items) {
            std::string text = scalarAt(&port, {"port"});
            const std::string nodePort = scalarAt(&port, {"nodePort"});
            if (!nodePort.empty()) {
                text += ':' + nodePort;
            }
            const std::string protocol = scalarAt(&port, {"protocol"});
            text += '/' + (protocol.empty() ? std::string("TCP") : protocol);
            out += (out.empty() ? "" : ",") + text;
        }
    }
    return out.empty() ? "<none>" : out;
}

std::vector<std::string> rowFor(Invocation &run, const StoredObject &object, bool wide)
{
    const config::Resource &resource = object.resource;
    const Node &document = resource.document;
    const Node *spec = document.find("spec");
    const std::string age = humanDuration(run.world().now() - run.state.createdAt(object.key()));
    const std::string &name = resource.metadata.name;
    const mesh::Topology &topology = run.world().topology();
    switch (resource.kind) {
    case Kind::Pod: {
        const mesh::PodView *pod = topology.pod(object.key().nameSpace, name);
        const std::size_t containers = pod ? pod->containers.size() : 0;
        const bool running = pod && pod->ip != 0;
        std::vector<std::string> row = {
            name, (running ? std::to_string(containers) : "0") + "/" + std::to_string(containers),
            running ? "Running" : "Pending", "0", age};
        if (wide) {
            row.push_back(running ? mesh::formatIp(pod->ip) : "<none>");
            row.push_back(running ? nodeName(run.world()) : "<none>");
            row.push_back("<none>");
            row.push_back("<none>");
        }
        return row;
    }
    case Kind::Service: {
        const mesh::ServiceView *service = topology.service(object.key().nameSpace, name);
        std::string type = scalarAt(spec, {"type"});
        type = type.empty() ? "ClusterIP" : type;
        std::string clusterIp = "<none>";
        if (service && service->headless) {
            clusterIp = "None";
        } else if (service && service->clusterIP != 0) {
            clusterIp = mesh::formatIp(service->clusterIP);
        }
        std::vector<std::string> row = {name,
                                        type,
                                        clusterIp,
                                        type == "LoadBalancer" ? "<pending>" : "<none>",
                                        servicePorts(spec),
                                        age};
        if (wide) {
            row.push_back(service ? formatLabels(service->selector) : "<none>");
        }
        return row;
    }
    case Kind::Deployment: {
        const auto pods = topology.podsOf(object.key().nameSpace, name);
        std::size_t ready = 0;
        for (const mesh::PodView *pod : pods) {
            ready += pod->ip != 0 ? 1 : 0;
        }
        const std::string replicas = scalarAt(spec, {"replicas"});
        const std::string want = replicas.empty() ? "1" : replicas;
        std::vector<std::string> row = {name, std::to_string(ready) + "/" + want,
                                        std::to_string(pods.size()), std::to_string(ready), age};
        if (wide) {
            std::vector<std::string> names;
            std::vector<std::string> images;
            const Node *containers = spec ? spec->find("template") : nullptr;
            containers = containers && containers->find("spec")
                             ? containers->find("spec")->find("containers")
                             : nullptr;
            if (containers && containers->isSequence()) {
                for (const Node &container : containers->items) {
                    names.push_back(scalarAt(&container, {"name"}));
                    images.push_back(scalarAt(&container, {"image"}));
                }
            }
            std::map<std::string, std::string> selector;
            const Node *labels = spec ? spec->find("selector") : nullptr;
            labels = labels ? labels->find("matchLabels") : nullptr;
            if (labels && labels->isMap()) {
                for (const config::MapEntry &entry : labels->entries) {
                    selector[entry.key] = entry.value.scalar;
                }
            }
            row.push_back(common::join(names, ","));
            row.push_back(common::join(images, ","));
            row.push_back(formatLabels(selector));
        }
        return row;
    }
    case Kind::Namespace:
        return {name, "Active", age};
    case Kind::ConfigMap: {
        std::size_t count = 0;
        for (const char *key : {"data", "binaryData"}) {
            const Node *data = document.find(key);
            count += data && data->isMap() ? data->entries.size() : 0;
        }
        return {name, std::to_string(count), age};
    }
    case Kind::ServiceEntry:
        return {name, jsonList(spec ? spec->find("hosts") : nullptr), scalarAt(spec, {"location"}),
                scalarAt(spec, {"resolution"}), age};
    case Kind::DestinationRule:
        return {name, scalarAt(spec, {"host"}), age};
    case Kind::VirtualService:
        return {name, jsonList(spec ? spec->find("gateways") : nullptr),
                jsonList(spec ? spec->find("hosts") : nullptr), age};
    case Kind::Gateway:
    case Kind::Sidecar:
        return {name, age};
    }
    return {name, age};
}

/// The object as the API server returns it: the stored document plus the metadata the server
/// keeps (creationTimestamp, resourceVersion, uid, kubectl's last-applied configuration).
Node serverObject(Invocation &run, const StoredObject &object)
{
    Node document = object.resource.document;
    Node *metadata = document.find("metadata");
    if (!metadata || !metadata->isMap()) {
        metadata = &document.set("metadata", Node::makeMap());
    }
    const ObjectKey key = object.key();
    if (object.lastAppliedByApply) {
        Node *annotations = metadata->find("annotations");
        if (!annotations || !annotations->isMap()) {
            annotations = &metadata->set("annotations", Node::makeMap());
        }
        annotations->set(
            "kubectl.kubernetes.io/last-applied-configuration",
            Node::makeScalar(sortedJson(config::comparableContent(object.resource)) + "\n", true));
    }
    metadata->set("creationTimestamp",
                  Node::makeScalar(formatRfc3339(run.state.createdAt(key)), true));
    if (object.resource.info().istio || key.kind == Kind::Deployment) {
        metadata->set("generation", Node::makeScalar("1"));
    }
    if (!key.nameSpace.empty()) {
        metadata->set("namespace", Node::makeScalar(key.nameSpace, true));
    }
    metadata->set("resourceVersion",
                  Node::makeScalar(std::to_string(object.resourceVersion), true));
    metadata->set(
        "uid", Node::makeScalar(
                   stableUid(key.toString() + "#" + std::to_string(object.createdRevision)), true));
    if (key.kind == Kind::Pod) {
        Node *status = document.find("status");
        if (status && status->isMap() && status->find("podIP") && !status->find("phase")) {
            status->set("phase", Node::makeScalar("Running", true));
        }
    }
    return document;
}

CommandStatus runGetOne(Invocation &run);

CommandStatus runGet(Invocation &run)
{
    const std::vector<std::string> &positionals = run.args.positionals;
    if (positionals.size() != 1 || positionals.front().find(',') == std::string::npos ||
        positionals.front().find('/') != std::string::npos) {
        return runGetOne(run);
    }
    // `kubectl get gw,dr`: one table per type, a blank line between them.
    int status = 0;
    std::string tables;
    for (const std::string &type : common::split(positionals.front(), ',')) {
        Invocation one{run.ctx, run.state, run.command, run.args};
        one.args.positionals = {type};
        one.kindPrefix = true;
        std::string table;
        one.captured = &table;
        status = std::max(status, *runGetOne(one).exitStatus);
        if (!table.empty()) {
            tables += (tables.empty() ? "" : "\n") + table;
        }
    }
    run.out(tables);
    if (tables.empty() && status == 0 && run.args.value("output") != "yaml") {
        run.err("No resources found in " + run.nameSpace() + " namespace.\n");
    }
    return CommandStatus::exited(status);
}

CommandStatus runGetOne(Invocation &run)
{
    if (run.args.positionals.empty()) {
        run.err("You must specify the type of resource to get. Use \"kubectl api-resources\" for "
                "a complete list of supported resources.\n\n"
                "error: Required resource not specified.\n"
                "Use \"kubectl explain <resource>\" for a detailed description of that resource "
                "(e.g. kubectl explain pods).\n"
                "See 'kubectl get -h' for help and examples\n");
        return CommandStatus::exited(1);
    }
    const auto target = resolveTarget(run.args.positionals);
    if (!target) {
        return run.error(target.error().message);
    }
    const std::string output = run.args.value("output");
    if (!output.empty() && output != "yaml" && output != "wide" && output != "name") {
        return run.error("unable to match a printer suitable for the output format " +
                         quoted(output) +
                         ", allowed formats are: custom-columns,custom-columns-file,go-template,"
                         "go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,"
                         "template,templatefile,wide,yaml");
    }
    run.state.syncCreationTimes();
    std::string errors;
    const std::vector<const StoredObject *> objects = selectObjects(run, *target, errors);
    const Kind kind = target->kind->kind;

    if (output == "name") {
        for (const StoredObject *object : objects) {
            run.out(config::kubectlKindName(kind) + "/" + object->resource.metadata.name + "\n");
        }
    } else if (output == "yaml") {
        if (objects.size() == 1 && !target->names.empty()) {
            run.out(marshalGoYaml(serverObject(run, *objects.front())));
        } else if (!objects.empty() || target->names.empty()) {
            Node list = Node::makeMap();
            list.set("apiVersion", Node::makeScalar("v1", true));
            Node items = Node::makeSequence();
            for (const StoredObject *object : objects) {
                items.items.push_back(serverObject(run, *object));
            }
            list.set("items", std::move(items));
            list.set("kind", Node::makeScalar("List", true));
            Node metadata = Node::makeMap();
            metadata.set("resourceVersion", Node::makeScalar("", true));
            list.set("metadata", std::move(metadata));
            run.out(marshalGoYaml(list));
        }
    } else if (!objects.empty()) {
        const bool wide = output == "wide";
        const bool withNamespace = run.allNamespaces() && target->kind->namespaced;
        std::vector<std::vector<std::string>> rows;
        std::vector<std::string> header = headersFor(kind, wide);
        if (withNamespace) {
            header.insert(header.begin(), "NAMESPACE");
        }
        if (run.args.isSet("show-labels")) {
            header.push_back("LABELS");
        }
        if (!run.args.isSet("no-headers")) {
            rows.push_back(header);
        }
        for (const StoredObject *object : objects) {
            std::vector<std::string> row = rowFor(run, *object, wide);
            if (run.kindPrefix) {
                row.front() = config::kubectlKindName(kind) + "/" + row.front();
            }
            if (withNamespace) {
                row.insert(row.begin(), object->key().nameSpace);
            }
            if (run.args.isSet("show-labels")) {
                row.push_back(formatLabels(liveLabels(*object)));
            }
            rows.push_back(std::move(row));
        }
        run.out(formatTable(rows));
    }
    if (objects.empty() && target->names.empty() && output != "yaml" && !run.kindPrefix) {
        if (run.allNamespaces() || !target->kind->namespaced) {
            run.err("No resources found\n");
        } else {
            run.err("No resources found in " + run.nameSpace() + " namespace.\n");
        }
    }
    run.err(errors);
    return CommandStatus::exited(errors.empty() ? 0 : 1);
}

// ---- describe --------------------------------------------------------------------------------

using DescribeRows = std::vector<std::vector<std::string>>;

std::string indent(int level)
{
    return std::string(static_cast<std::size_t>(level) * 2, ' ');
}

void describeMap(DescribeRows &rows, const std::map<std::string, std::string> &values,
                 const std::string &label, bool equals)
{
    if (values.empty()) {
        rows.push_back({label + ":", "<none>"});
        return;
    }
    bool first = true;
    for (const auto &[key, value] : values) {
        rows.push_back({first ? label + ":" : std::string(), key + (equals ? "=" : ": ") + value});
        first = false;
    }
}

/// "creationTimestamp" -> "Creation Timestamp", as kubectl's generic describer titles fields.
std::string titleCase(std::string_view key)
{
    std::string out;
    for (std::size_t i = 0; i < key.size(); ++i) {
        const char c = key[i];
        if (i == 0) {
            out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        } else if (std::isupper(static_cast<unsigned char>(c)) &&
                   !std::isupper(static_cast<unsigned char>(key[i - 1]))) {
            out += ' ';
            out += c;
        } else {
            out += c;
        }
    }
    return out;
}

/// kubectl's generic describer (for CRDs): every field titled, nested maps indented.
void describeNode(DescribeRows &rows, const Node &node, int level)
{
    for (const config::MapEntry &entry : node.entries) {
        const std::string key = indent(level) + titleCase(entry.key) + ":";
        const Node &value = entry.value;
        if (value.isMap()) {
            rows.push_back({key});
            describeNode(rows, value, level + 1);
        } else if (value.isSequence()) {
            rows.push_back({key});
            for (const Node &item : value.items) {
                if (item.isMap()) {
                    describeNode(rows, item, level + 1);
                } else {
                    rows.push_back({indent(level + 1) + item.scalar});
                }
            }
        } else {
            rows.push_back({key, value.scalar});
        }
    }
}

std::string describeGeneric(Invocation &run, const StoredObject &object)
{
    const Node document = serverObject(run, object);
    const config::Resource &resource = object.resource;
    DescribeRows rows;
    rows.push_back({"Name:", resource.metadata.name});
    if (!object.key().nameSpace.empty()) {
        rows.push_back({"Namespace:", object.key().nameSpace});
    }
    describeMap(rows, liveLabels(object), "Labels", true);
    describeMap(rows, resource.metadata.annotations, "Annotations", false);
    rows.push_back({"API Version:", resource.apiVersion});
    rows.push_back({"Kind:", std::string(resource.info().name)});
    for (const config::MapEntry &entry : document.entries) {
        if (entry.key == "apiVersion" || entry.key == "kind") {
            continue;
        }
        Node value = entry.value;
        if (entry.key == "metadata") {
            Node kept = Node::makeMap();
            for (const config::MapEntry &field : value.entries) {
                if (field.key != "name" && field.key != "namespace" && field.key != "labels" &&
                    field.key != "annotations") {
                    kept.entries.push_back(field);
                }
            }
            std::sort(kept.entries.begin(), kept.entries.end(),
                      [](const auto &a, const auto &b) { return a.key < b.key; });
            value = std::move(kept);
        }
        Node wrapper = Node::makeMap();
        wrapper.set(entry.key, std::move(value));
        describeNode(rows, wrapper, 0);
    }
    rows.push_back({"Events:", "<none>"});
    return xds::tabwriterFormat(rows, 2);
}

/// An env var as describe shows it: the value, or a field reference resolved for this pod.
std::string envLine(const Node &env, const mesh::PodView *pod)
{
    const Node *from = env.find("valueFrom");
    if (!from) {
        return scalarAt(&env, {"value"});
    }
    const std::string field = scalarAt(from, {"fieldRef", "fieldPath"});
    std::string value;
    if (pod && field == "metadata.name") {
        value = pod->name;
    } else if (pod && field == "metadata.namespace") {
        value = pod->nameSpace;
    } else if (pod && field == "status.podIP" && pod->ip != 0) {
        value = mesh::formatIp(pod->ip);
    } else if (field == "spec.serviceAccountName") {
        value = "default";
    }
    return value + " (v1:" + field + ")";
}

std::string describePod(Invocation &run, const StoredObject &object)
{
    const config::Resource &resource = object.resource;
    const mesh::PodView *pod =
        run.world().topology().pod(object.key().nameSpace, resource.metadata.name);
    const bool running = pod && pod->ip != 0;
    DescribeRows rows;
    rows.push_back({"Name:", resource.metadata.name});
    rows.push_back({"Namespace:", object.key().nameSpace});
    rows.push_back({"Priority:", "0"});
    rows.push_back({"Service Account:", "default"});
    rows.push_back({"Node:", running ? nodeName(run.world()) + "/10.132.0.2" : "<none>"});
    rows.push_back({"Start Time:", formatRfc1123z(run.state.createdAt(object.key()))});
    describeMap(rows, liveLabels(object), "Labels", true);
    describeMap(rows, resource.metadata.annotations, "Annotations", false);
    rows.push_back({"Status:", running ? "Running" : "Pending"});
    rows.push_back({"IP:", running ? mesh::formatIp(pod->ip) : ""});
    rows.push_back({"IPs:"});
    if (running) {
        rows.push_back({"  IP:", mesh::formatIp(pod->ip)});
    }
    if (!pod || pod->deployment.empty()) {
        rows.push_back({"Containers:"});
    } else {
        rows.push_back({"Controlled By:", "ReplicaSet/" + pod->deployment});
        rows.push_back({"Containers:"});
    }
    const Node *containers = resource.document.find("spec");
    containers = containers ? containers->find("containers") : nullptr;
    if (containers && containers->isSequence()) {
        for (const Node &container : containers->items) {
            rows.push_back({"  " + scalarAt(&container, {"name"}) + ":"});
            rows.push_back({"    Image:", scalarAt(&container, {"image"})});
            std::string ports;
            if (const Node *list = container.find("ports"); list && list->isSequence()) {
                for (const Node &port : list->items) {
                    const std::string protocol = scalarAt(&port, {"protocol"});
                    ports += (ports.empty() ? "" : ", ") + scalarAt(&port, {"containerPort"}) +
                             "/" + (protocol.empty() ? std::string("TCP") : protocol);
                }
            }
            rows.push_back({"    Port:", ports.empty() ? "<none>" : ports});
            rows.push_back({"    Host Port:", ports.empty() ? "<none>" : "0/TCP"});
            for (const char *key : {"command", "args"}) {
                const Node *list = container.find(key);
                if (list && list->isSequence()) {
                    rows.push_back({std::string("    ") + (key[0] == 'c' ? "Command:" : "Args:")});
                    for (const Node &item : list->items) {
                        rows.push_back({"      " + item.scalar});
                    }
                }
            }
            rows.push_back({"    State:", running ? "Running" : "Waiting"});
            rows.push_back({"    Ready:", running ? "True" : "False"});
            rows.push_back({"    Restart Count:", "0"});
            const Node *env = container.find("env");
            if (!env || !env->isSequence() || env->items.empty()) {
                rows.push_back({"    Environment:", "<none>"});
            } else {
                rows.push_back({"    Environment:"});
                for (const Node &var : env->items) {
                    rows.push_back({"      " + scalarAt(&var, {"name"}) + ":", envLine(var, pod)});
                }
            }
        }
    }
    rows.push_back({"Conditions:"});
    rows.push_back({"  Type", "Status"});
    for (const char *condition : {"Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
        rows.push_back({std::string("  ") + condition,
                        std::string(running || condition[0] == 'P' ? "True " : "False ")});
    }
    rows.push_back({"QoS Class:", "Burstable"});
    rows.push_back({"Node-Selectors:", "<none>"});
    rows.push_back({"Tolerations:", "node.kubernetes.io/not-ready:NoExecute op=Exists for 300s"});
    rows.push_back({"", "node.kubernetes.io/unreachable:NoExecute op=Exists for 300s"});
    rows.push_back({"Events:", "<none>"});
    return xds::tabwriterFormat(rows, 2);
}

std::string describeService(Invocation &run, const StoredObject &object)
{
    const config::Resource &resource = object.resource;
    const mesh::Topology &topology = run.world().topology();
    const mesh::ServiceView *service =
        topology.service(object.key().nameSpace, resource.metadata.name);
    DescribeRows rows;
    rows.push_back({"Name:", resource.metadata.name});
    rows.push_back({"Namespace:", object.key().nameSpace});
    describeMap(rows, liveLabels(object), "Labels", true);
    describeMap(rows, resource.metadata.annotations, "Annotations", false);
    rows.push_back({"Selector:", service ? formatLabels(service->selector) : "<none>"});
    rows.push_back({"Type:", service ? service->type : "ClusterIP"});
    rows.push_back({"IP Family Policy:", "SingleStack"});
    rows.push_back({"IP Families:", "IPv4"});
    const std::string ip = !service             ? "<none>"
                           : service->headless  ? "None"
                           : service->clusterIP ? mesh::formatIp(service->clusterIP)
                                                : "<none>";
    rows.push_back({"IP:", ip});
    rows.push_back({"IPs:", ip});
    if (service) {
        for (const config::ServicePortSpec &port : service->ports) {
            rows.push_back({"Port:", (port.name.empty() ? "<unset>" : port.name) + "  " +
                                         std::to_string(port.port) + "/" + port.protocol});
            rows.push_back({"TargetPort:", (port.targetPortName.empty()
                                                ? std::to_string(port.effectiveTargetPort())
                                                : port.targetPortName) +
                                               "/" + port.protocol});
            std::string endpoints;
            for (const mesh::ServiceEndpoint &endpoint : topology.endpoints(*service, port)) {
                endpoints += (endpoints.empty() ? "" : ",") + mesh::formatIp(endpoint.pod->ip) +
                             ":" + std::to_string(endpoint.port);
            }
            rows.push_back({"Endpoints:", endpoints.empty() ? "<none>" : endpoints});
        }
    }
    rows.push_back({"Session Affinity:", "None"});
    rows.push_back({"Events:", "<none>"});
    return xds::tabwriterFormat(rows, 2);
}

CommandStatus runDescribe(Invocation &run)
{
    if (run.args.positionals.empty()) {
        run.err("You must specify the type of resource to describe. Use \"kubectl "
                "api-resources\" for a complete list of supported resources.\n");
        return CommandStatus::exited(1);
    }
    const auto target = resolveTarget(run.args.positionals);
    if (!target) {
        return run.error(target.error().message);
    }
    run.state.syncCreationTimes();
    std::string errors;
    const auto objects = selectObjects(run, *target, errors);
    bool first = true;
    for (const StoredObject *object : objects) {
        if (!first) {
            run.out("\n\n");
        }
        first = false;
        switch (object->resource.kind) {
        case Kind::Pod:
            run.out(describePod(run, *object));
            break;
        case Kind::Service:
            run.out(describeService(run, *object));
            break;
        default:
            run.out(describeGeneric(run, *object));
        }
    }
    if (objects.empty() && target->names.empty()) {
        run.err("No resources found in " + run.nameSpace() + " namespace.\n");
    }
    run.err(errors);
    return CommandStatus::exited(errors.empty() ? 0 : 1);
}

// ---- delete TYPE NAME, label -------------------------------------------------------------------

CommandStatus runDelete(Invocation &run)
{
    if (run.args.has("filename")) {
        return runFileVerb(run);
    }
    if (run.args.positionals.empty()) {
        return run.error("You must provide one or more resources by argument or filename.\n"
                         "Example resource specifications include:\n"
                         "   '-f rsrc.yaml'\n"
                         "   '--filename=rsrc.json'\n"
                         "   '<resource> <name>'\n"
                         "   '<resource>'");
    }
    const auto target = resolveTarget(run.args.positionals);
    if (!target) {
        return run.error(target.error().message);
    }
    if (target->names.empty()) {
        return run.error("resource(s) were provided, but no name was specified");
    }
    std::string errors;
    for (const std::string &name : target->names) {
        const ObjectKey key{target->kind->kind,
                            target->kind->namespaced ? run.nameSpace() : std::string(), name};
        const config::DocumentResult result = run.store().remove(key);
        if (result.ok()) {
            run.out(withNewline(result.output));
        } else if (!run.args.isSet("ignore-not-found")) {
            errors += withNewline(result.output);
        }
    }
    run.state.syncCreationTimes();
    run.err(errors);
    return CommandStatus::exited(errors.empty() ? 0 : 1);
}

CommandStatus runLabel(Invocation &run)
{
    std::vector<std::string> words;
    std::vector<std::pair<std::string, std::optional<std::string>>> changes;
    for (const std::string &word : run.args.positionals) {
        const std::size_t equals = word.find('=');
        if (equals != std::string::npos) {
            changes.emplace_back(word.substr(0, equals), word.substr(equals + 1));
        } else if (word.size() > 1 && word.back() == '-' && !words.empty()) {
            changes.emplace_back(word.substr(0, word.size() - 1), std::nullopt);
        } else {
            words.push_back(word);
        }
    }
    if (words.empty()) {
        return run.error("resource(s) were provided, but no name was specified");
    }
    const auto target = resolveTarget(words);
    if (!target) {
        return run.error(target.error().message);
    }
    if (changes.empty()) {
        return run.error("at least one label update is required");
    }
    std::string errors;
    for (const std::string &name : target->names) {
        const ObjectKey key{target->kind->kind,
                            target->kind->namespaced ? run.nameSpace() : std::string(), name};
        const StoredObject *object = run.store().get(key);
        if (!object) {
            errors += notFound(key.kind, name);
            continue;
        }
        const std::map<std::string, std::string> current = liveLabels(*object);
        bool refused = false;
        bool removedOnly = true;
        for (const auto &[label, value] : changes) {
            const auto it = current.find(label);
            if (value && it != current.end() && it->second != *value &&
                !run.args.isSet("overwrite")) {
                errors += "error: '" + label + "' already has a value (" + it->second +
                          "), and --overwrite is false\n";
                refused = true;
            }
            removedOnly = removedOnly && !value;
        }
        if (refused) {
            continue;
        }
        config::Store::ServerEdit edit{
            key, [changes](Node &document) {
                Node *metadata = document.find("metadata");
                if (!metadata) {
                    return;
                }
                Node *labels = metadata->find("labels");
                if (!labels || !labels->isMap()) {
                    labels = &metadata->set("labels", Node::makeMap());
                }
                for (const auto &[label, value] : changes) {
                    if (value) {
                        labels->set(label, Node::makeScalar(*value, true));
                    } else {
                        std::erase_if(labels->entries,
                                      [&](const auto &entry) { return entry.key == label; });
                    }
                }
            }};
        const bool changed = run.store().updateServerFields({edit});
        run.out(config::kubectlKindName(key.kind) + "/" + name +
                (changed ? (removedOnly ? " unlabeled\n" : " labeled\n") : " not labeled\n"));
    }
    run.err(errors);
    return CommandStatus::exited(errors.empty() ? 0 : 1);
}

// ---- exec and logs ---------------------------------------------------------------------------

/// `POD`, `pod/POD` or `deploy/NAME` (a pod of the Deployment); the error line otherwise.
common::Result<const mesh::PodView *> resolvePod(Invocation &run, const std::string &word)
{
    const mesh::Topology &topology = run.world().topology();
    const std::string nameSpace = run.nameSpace();
    const std::size_t slash = word.find('/');
    if (slash != std::string::npos) {
        const config::KindInfo *info = config::findKindByResourceName(word.substr(0, slash));
        const std::string name = word.substr(slash + 1);
        if (!info) {
            return common::fail("kubectl.unknown-type",
                                "error: the server doesn't have a resource type " +
                                    quoted(word.substr(0, slash)) + "\n");
        }
        if (info->kind == Kind::Deployment) {
            const auto pods = topology.podsOf(nameSpace, name);
            if (!run.store().get(Kind::Deployment, nameSpace, name)) {
                return common::fail("kubectl.not-found", notFound(Kind::Deployment, name));
            }
            if (pods.empty()) {
                return common::fail("kubectl.no-pods",
                                    "error: cannot attach to *v1.Deployment: selector for "
                                    "deployment " +
                                        name + " has no pods\n");
            }
            return pods.front();
        }
        if (info->kind != Kind::Pod) {
            return common::fail("kubectl.not-attachable",
                                "error: cannot attach to *v1." + std::string(info->name) +
                                    ": selector for " + std::string(info->name) +
                                    " not implemented\n");
        }
        if (const mesh::PodView *pod = topology.pod(nameSpace, name)) {
            return pod;
        }
        return common::fail("kubectl.not-found", notFound(Kind::Pod, name));
    }
    if (const mesh::PodView *pod = topology.pod(nameSpace, word)) {
        return pod;
    }
    return common::fail("kubectl.not-found", notFound(Kind::Pod, word));
}

std::string containerList(const mesh::PodView &pod)
{
    std::vector<std::string> names;
    for (const config::Container &container : pod.containers) {
        names.push_back(container.name);
    }
    return common::join(names, ", ");
}

/// `-c NAME`, or the first container (with kubectl's "Defaulted container" line when the pod
/// has several); nullptr with the error printed when the name is wrong.
const config::Container *pickContainer(Invocation &run, const mesh::PodView &pod,
                                       const std::string &errorFormat)
{
    const std::string wanted = run.args.value("container");
    if (pod.containers.empty()) {
        return nullptr;
    }
    if (wanted.empty()) {
        if (pod.containers.size() > 1) {
            run.err("Defaulted container " + quoted(pod.containers.front().name) +
                    " out of: " + containerList(pod) + "\n");
        }
        return &pod.containers.front();
    }
    for (const config::Container &container : pod.containers) {
        if (container.name == wanted) {
            return &container;
        }
    }
    std::string message = errorFormat;
    message.replace(message.find("%c"), 2, wanted);
    message.replace(message.find("%p"), 2, pod.name);
    run.err(message);
    return nullptr;
}

CommandStatus runExec(Invocation &run)
{
    const std::vector<std::string> &positionals = run.args.positionals;
    if (positionals.empty()) {
        return run.error("pod, type/name or --filename must be specified");
    }
    std::vector<std::string> command = run.args.afterDash;
    if (!run.args.sawDash) {
        command.assign(positionals.begin() + 1, positionals.end());
        if (!command.empty()) {
            run.err(ExecDeprecation);
        }
    } else if (positionals.size() > 1) {
        return run.error("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- "
                         "[COMMAND] instead");
    }
    if (command.empty()) {
        return run.error("you must specify at least one command for the container");
    }
    const auto pod = resolvePod(run, positionals.front());
    if (!pod) {
        run.err(pod.error().message);
        return CommandStatus::exited(1);
    }
    const config::Container *container =
        pickContainer(run, **pod, "error: container %c not found in pod %p\n");
    if (!container) {
        return CommandStatus::exited(1);
    }
    const bool tty = run.args.isSet("tty");
    if (tty && !run.ctx.stdinIsTerminal()) {
        run.err("Unable to use a TTY - input is not a terminal or the right kind of file\n");
    }
    PodShellOptions options;
    options.nameSpace = (*pod)->nameSpace;
    options.pod = (*pod)->name;
    options.container = container->name;
    options.image = container->image;
    options.tty = tty && run.ctx.stdinIsTerminal();
    options.stdinAttached = run.args.isSet("stdin");
    const std::string &program = command.front();
    const bool interactiveShell =
        command.size() == 1 && (program == "/bin/sh" || program == "sh" || program == "/bin/ash" ||
                                program == "ash" || program == "/bin/bash" || program == "bash");
    if (interactiveShell && !run.args.isSet("stdin")) {
        // Without -i the shell reads nothing and exits at once.
        return CommandStatus::exited(0);
    }
    options.shellName = interactiveShell ? program : std::string("/bin/sh");
    auto shell = makePodShell(run.state, **pod, options);
    const CommandHandle handle = run.ctx.handle();
    ContextExitHandler onExit = [handle](int status) {
        if (status != 0) {
            handle.err("command terminated with exit code " + std::to_string(status) + "\n");
        }
        return status;
    };
    if (interactiveShell) {
        return run.ctx.enterContext(std::move(shell), std::move(onExit));
    }
    return run.ctx.enterContext(std::move(shell), std::move(onExit), std::move(command));
}

/// `--tail N`; every line without it (or with a negative N).
std::size_t tailCount(const Invocation &run)
{
    const std::string value = run.args.value("tail", "-1");
    std::size_t count = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), count);
    return ec == std::errc() && end == value.data() + value.size() ? count : std::string::npos;
}

std::string joinLines(const std::vector<std::string> &lines, std::size_t tail)
{
    std::string out;
    const std::size_t start = tail < lines.size() ? lines.size() - tail : 0;
    for (std::size_t i = start; i < lines.size(); ++i) {
        out += withNewline(lines[i]);
    }
    return out;
}

/// istio-pilot runs outside the store (the World's control plane): `deploy/istio-pilot` and
/// its pods still have logs.
bool isControlPlane(Invocation &run, const std::string &target)
{
    const std::string name = target.substr(target.find('/') + 1);
    return run.nameSpace() == "istio-system" &&
           (name == "istio-pilot" || name.starts_with("istio-pilot-"));
}

CommandStatus controlPlaneLogs(Invocation &run)
{
    const std::string container = run.args.value("container");
    if (container.empty()) {
        run.err("Defaulted container \"discovery\" out of: discovery, istio-proxy\n");
    } else if (container != "discovery" && container != "istio-proxy") {
        run.err("error: container " + container + " is not valid for pod istio-pilot\n");
        return CommandStatus::exited(1);
    }
    if (container != "istio-proxy") {
        std::vector<std::string> lines;
        for (const xds::LogLine &line : run.world().controlPlane().log().lines()) {
            lines.push_back(line.toString());
        }
        run.out(joinLines(lines, tailCount(run)));
    }
    return CommandStatus::exited(0);
}

CommandStatus runLogs(Invocation &run)
{
    if (run.args.positionals.empty()) {
        return run.error("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
                         "POD or TYPE/NAME is a required argument for the logs command\n"
                         "See 'kubectl logs -h' for help and examples");
    }
    const std::string &target = run.args.positionals.front();
    const auto pod = resolvePod(run, target);
    if (!pod && isControlPlane(run, target)) {
        return controlPlaneLogs(run);
    }
    if (!pod) {
        run.err(pod.error().message);
        return CommandStatus::exited(1);
    }
    if (run.args.positionals.size() > 1 && !run.args.has("container")) {
        run.args.flags["container"].push_back(run.args.positionals[1]);
    }
    const config::Container *container =
        pickContainer(run, **pod, "error: container %c is not valid for pod %p\n");
    if (!container) {
        return CommandStatus::exited(1);
    }
    const std::size_t tail = tailCount(run);
    const mesh::PodView &view = **pod;
    std::vector<std::string> lines;
    if (container->name == "discovery") {
        for (const xds::LogLine &line : run.world().controlPlane().log().lines()) {
            lines.push_back(line.toString());
        }
    } else if (container->name == "istio-proxy" && view.isProxy()) {
        lines = run.world().relay().accessLog(view.proxyId());
    }
    run.out(joinLines(lines, tail));
    return CommandStatus::exited(0);
}

CommandStatus runVersion(Invocation &run)
{
    run.out("Client Version: v1.30.5\nKustomize Version: v5.0.4-0.20230601165947-6ce0bf390ce3\n");
    if (!run.args.isSet("client")) {
        run.out("Server Version: v1.30.5-gke.1014001\n");
    }
    return CommandStatus::exited(0);
}

CommandStatus usage(CommandContext &ctx)
{
    ctx.out().write("kubectl controls the Kubernetes cluster manager.\n\n"
                    " Find more information at: https://kubernetes.io/docs/reference/kubectl/\n\n"
                    "Commands in this terminal:\n"
                    "  get, describe, apply, create, replace, delete, exec, logs, label, "
                    "version\n\n"
                    "Usage:\n  kubectl [flags] [options]\n");
    return CommandStatus::exited(0);
}

/// The first word that is neither a global flag nor its value.
std::optional<std::size_t> subcommandIndex(const std::vector<std::string> &args)
{
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string &arg = args[i];
        if (arg == "-n" || arg == "--namespace" || arg == "--context" || arg == "--kubeconfig") {
            ++i;
            continue;
        }
        if (arg.starts_with("-")) {
            continue;
        }
        return i;
    }
    return std::nullopt;
}

} // namespace

Kubectl::Kubectl(std::shared_ptr<ToolState> state) : m_state(std::move(state)) {}

CommandStatus Kubectl::run(CommandContext &ctx)
{
    const std::vector<std::string> &argv = ctx.args();
    const auto index = subcommandIndex(argv);
    if (!index) {
        return usage(ctx);
    }
    const std::string command = argv[*index];
    if (!isKnownSubcommand(command)) {
        ctx.err().write("error: unknown command " + quoted(command) +
                        " for \"kubectl\"\nRun 'kubectl --help' for usage.\n");
        return CommandStatus::exited(1);
    }
    std::vector<std::string> rest;
    for (std::size_t i = 1; i < argv.size(); ++i) {
        if (i != *index) {
            rest.push_back(argv[i]);
        }
    }
    auto parsed = parseFlags(rest, flagsFor(command));
    if (!parsed) {
        ctx.err().write("error: " + parsed.error().message + "\nSee 'kubectl " + command +
                        " --help' for usage.\n");
        return CommandStatus::exited(1);
    }
    Invocation run{ctx, *m_state, command, std::move(*parsed)};
    if (command == "apply" || command == "create" || command == "replace") {
        return runFileVerb(run);
    }
    if (command == "delete") {
        return runDelete(run);
    }
    if (command == "get") {
        return runGet(run);
    }
    if (command == "describe") {
        return runDescribe(run);
    }
    if (command == "exec") {
        return runExec(run);
    }
    if (command == "logs") {
        return runLogs(run);
    }
    if (command == "label") {
        return runLabel(run);
    }
    if (command == "version") {
        return runVersion(run);
    }
    ctx.err().write("meshcraft: kubectl " + command +
                    " is not part of this simulator; the lab uses get, describe, apply, create, "
                    "replace, delete, exec, logs and label.\n");
    return CommandStatus::exited(1);
}

std::vector<std::string> kubectlResourceNames(ToolState &state, std::string_view resourceType,
                                              std::string_view nameSpace)
{
    std::vector<std::string> names;
    if (resourceType.empty()) {
        for (const config::KindInfo &info : config::knownKinds()) {
            names.emplace_back(info.plural);
            for (const std::string_view shortName : info.shortNames) {
                names.emplace_back(shortName);
            }
        }
        names.push_back("deploy");
        names.push_back("svc");
        names.push_back("po");
        std::sort(names.begin(), names.end());
        names.erase(std::unique(names.begin(), names.end()), names.end());
        return names;
    }
    const config::KindInfo *info = config::findKindByResourceName(resourceType);
    if (!info) {
        return names;
    }
    const std::string ns = nameSpace.empty() ? std::string("default") : std::string(nameSpace);
    const auto objects = info->namespaced ? state.world().store().list(info->kind, ns)
                                          : state.world().store().list(info->kind);
    for (const StoredObject *object : objects) {
        names.push_back(object->resource.metadata.name);
    }
    return names;
}

CompletionSpec Kubectl::completion() const
{
    std::weak_ptr<ToolState> weak = m_state;
    const FlagSpec nameSpace =
        completionFlag({"-n", "--namespace"}, true, {}, [weak](const CompletionRequest &) {
            auto state = weak.lock();
            return state ? kubectlResourceNames(*state, "namespaces", "")
                         : std::vector<std::string>{};
        });
    const FlagSpec file = completionFlag({"-f", "--filename"}, true, {}, {}, true);
    const FlagSpec output = completionFlag({"-o", "--output"}, true, {"name", "wide", "yaml"}, {});
    const FlagSpec allNamespaces = completionFlag({"-A", "--all-namespaces"});
    const FlagSpec container = completionFlag({"-c", "--container"}, true);
    const CandidateProvider typesThenNames = [weak](const CompletionRequest &request) {
        auto state = weak.lock();
        if (!state) {
            return std::vector<std::string>{};
        }
        const auto positionals = request.positionals(2);
        const std::string ns = request.flagValue({"-n", "--namespace"}).value_or("");
        if (positionals.empty()) {
            return kubectlResourceNames(*state, "", ns);
        }
        return kubectlResourceNames(*state, positionals.front(), ns);
    };
    const CandidateProvider podNames = [weak](const CompletionRequest &request) {
        auto state = weak.lock();
        return state ? kubectlResourceNames(*state, "pods",
                                            request.flagValue({"-n", "--namespace"}).value_or(""))
                     : std::vector<std::string>{};
    };

    CompletionSpec fileVerb;
    fileVerb.files = false;
    fileVerb.flags = {file};
    CompletionSpec get;
    get.files = false;
    get.flags = {output, allNamespaces, completionFlag({"--show-labels"})};
    get.arguments = typesThenNames;
    CompletionSpec describe;
    describe.files = false;
    describe.flags = {allNamespaces};
    describe.arguments = typesThenNames;
    CompletionSpec remove = describe;
    remove.flags = {file};
    CompletionSpec exec;
    exec.files = false;
    exec.flags = {completionFlag({"-i", "--stdin"}), completionFlag({"-t", "--tty"}), container};
    exec.arguments = podNames;
    CompletionSpec logs;
    logs.files = false;
    logs.flags = {container, completionFlag({"--tail"}, true)};
    logs.arguments = podNames;
    CompletionSpec label = describe;
    label.flags = {completionFlag({"--overwrite"})};

    CompletionSpec root;
    root.files = false;
    root.flags = {nameSpace};
    root.subcommands = {{"apply", fileVerb},    {"create", fileVerb}, {"delete", remove},
                        {"describe", describe}, {"exec", exec},       {"get", get},
                        {"label", label},       {"logs", logs},       {"replace", fileVerb},
                        {"version", {}}};
    return root;
}

} // namespace meshcraft::core::shell::tools
