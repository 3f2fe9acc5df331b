// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/config/store.h"

#include "core/common/text.h"
#include "core/config/kubectl_messages.h"

#include <algorithm>

namespace meshcraft::core::config {

using common::Diagnostic;
using common::Diagnostics;
using common::Severity;

namespace {

constexpr std::string_view LastAppliedAnnotation =
    "kubectl.kubernetes.io/last-applied-configuration";

void eraseKey(Node &map, std::string_view key)
{
    std::erase_if(map.entries, [&](const MapEntry &entry) { return entry.key == key; });
}

std::string quoted(std::string_view text)
{
    return "\"" + std::string(text) + "\"";
}

Diagnostic storeError(const Resource &resource, std::string code, std::string message)
{
    return Diagnostic{
        Severity::Error, std::move(code), std::move(message), resource.location(), {}};
}

std::vector<std::string> messagesOf(const Diagnostics &diagnostics, Severity severity)
{
    std::vector<std::string> out;
    for (const Diagnostic &diagnostic : diagnostics) {
        if (diagnostic.severity == severity) {
            out.push_back(diagnostic.message);
        }
    }
    return out;
}

// The namespace an object lands in: the file's own, else `-n`, else `default`.
std::string effectiveNamespace(const Resource &resource, const ApplyOptions &options)
{
    if (!resource.info().namespaced) {
        return {};
    }
    if (!resource.metadata.nameSpace.empty()) {
        return resource.metadata.nameSpace;
    }
    return options.nameSpace.empty() ? std::string("default") : options.nameSpace;
}

// The resource as stored: its namespace filled in, in the metadata and in the document.
Resource normalised(const Resource &resource, const std::string &nameSpace)
{
    Resource out = resource;
    if (!resource.info().namespaced) {
        return out;
    }
    out.metadata.nameSpace = nameSpace;
    if (Node *metadata = out.document.find("metadata"); metadata && metadata->isMap()) {
        metadata->set("namespace", Node::makeScalar(nameSpace));
    }
    return out;
}

std::string missingLastAppliedWarning(const ObjectKey &key)
{
    return "resource " + apiResourceName(key.kind) + "/" + key.name + " is missing the " +
           std::string(LastAppliedAnnotation) +
           " annotation which is required by kubectl apply. kubectl apply should only be used "
           "on resources created declaratively by either kubectl create --save-config or "
           "kubectl apply. The missing annotation will be patched automatically.";
}

// The API server keeps what it owns across a user's write: the status (written only through
// the status subresource) and an allocated ClusterIP the new object leaves unset.
void keepServerFields(const Resource &existing, Resource &incoming)
{
    if (const Node *status = existing.document.find("status");
        status && incoming.document.isMap()) {
        incoming.document.set("status", *status);
    }
    if (existing.kind != Kind::Service) {
        return;
    }
    const Node *oldSpec = existing.document.find("spec");
    const Node *clusterIP = oldSpec ? oldSpec->find("clusterIP") : nullptr;
    Node *newSpec = incoming.document.find("spec");
    if (clusterIP && newSpec && newSpec->isMap() && !newSpec->find("clusterIP")) {
        newSpec->set("clusterIP", *clusterIP);
    }
}

} // namespace

// A view of the store plus the writes a batch has planned so far, so that later documents
// of a batch see earlier ones (a Namespace created before the objects in it).
class Store::Overlay
{
public:
    explicit Overlay(const std::map<ObjectKey, StoredObject> &base) : m_base(base) {}

    const StoredObject *find(const ObjectKey &key) const
    {
        if (const auto pending = m_pending.find(key); pending != m_pending.end()) {
            return pending->second ? &*pending->second : nullptr;
        }
        const auto stored = m_base.find(key);
        return stored == m_base.end() ? nullptr : &stored->second;
    }
    void put(const StoredObject &object) { m_pending[object.key()] = object; }
    void erase(const ObjectKey &key) { m_pending[key] = std::nullopt; }

private:
    const std::map<ObjectKey, StoredObject> &m_base;
    std::map<ObjectKey, std::optional<StoredObject>> m_pending;
};

struct Store::Planned
{
    DocumentResult result;
    bool write = false;
    bool erase = false;
    StoredObject object; ///< what to write
};

std::string ObjectKey::toString() const
{
    std::string out(kindInfo(kind).name);
    out += ' ';
    if (!nameSpace.empty()) {
        out += nameSpace + "/";
    }
    return out + name;
}

ObjectKey StoredObject::key() const
{
    return ObjectKey{resource.kind, resource.metadata.nameSpace, resource.metadata.name};
}

std::string ResourceValidator::refusalLine(const Resource &resource, const Diagnostics &errors,
                                           std::string_view verb, std::string_view source) const
{
    if (resource.info().istio) {
        return "Error from server: error when " + std::string(verb) + " " + quoted(source) + ": " +
               admissionDenial(IstioWebhookName, webhookDenialMessage(errors));
    }
    const std::vector<std::string> messages = messagesOf(errors, Severity::Error);
    std::string joined = common::join(messages, ", ");
    if (messages.size() > 1) {
        joined = "[" + joined + "]"; // apimachinery's aggregate error
    }
    return "The " + std::string(resource.info().name) + " " + quoted(resource.metadata.name) +
           " is invalid: " + joined;
}

const char *actionName(Action action)
{
    switch (action) {
    case Action::Created:
        return "created";
    case Action::Configured:
        return "configured";
    case Action::Unchanged:
        return "unchanged";
    case Action::Replaced:
        return "replaced";
    case Action::Deleted:
        return "deleted";
    case Action::Failed:
        return "failed";
    case Action::NotApplied:
        return "not applied";
    }
    return "failed";
}

bool ApplyResult::ok() const
{
    if (common::hasErrors(parseDiagnostics)) {
        return false;
    }
    return std::all_of(documents.begin(), documents.end(),
                       [](const DocumentResult &document) { return document.ok(); });
}

std::vector<std::string> ApplyResult::outputLines() const
{
    std::vector<std::string> lines;
    for (const DocumentResult &document : documents) {
        for (const std::string &warning : document.warnings) {
            lines.push_back("Warning: " + warning);
        }
        if (!document.output.empty()) {
            lines.push_back(document.output);
        }
    }
    for (const Diagnostic &diagnostic : parseDiagnostics) {
        lines.push_back(diagnostic.toString());
    }
    return lines;
}

std::string kubectlKindName(Kind kind)
{
    const KindInfo &info = kindInfo(kind);
    std::string out = common::toLower(info.name);
    if (!info.group.empty()) {
        out += "." + std::string(info.group);
    }
    return out;
}

std::string apiResourceName(Kind kind)
{
    const KindInfo &info = kindInfo(kind);
    std::string out(info.plural);
    if (!info.group.empty()) {
        out += "." + std::string(info.group);
    }
    return out;
}

Node comparableContent(const Resource &resource)
{
    Node content = resource.document;
    eraseKey(content, "status");
    if (Node *metadata = content.find("metadata"); metadata && metadata->isMap()) {
        for (std::string_view field : {"resourceVersion", "uid", "creationTimestamp", "generation",
                                       "managedFields", "selfLink"}) {
            eraseKey(*metadata, field);
        }
        if (Node *annotations = metadata->find("annotations");
            annotations && annotations->isMap()) {
            eraseKey(*annotations, LastAppliedAnnotation);
            if (annotations->entries.empty()) {
                eraseKey(*metadata, "annotations");
            }
        }
    }
    return content;
}

void Store::addObserver(StoreObserver *observer)
{
    if (observer &&
        std::find(m_observers.begin(), m_observers.end(), observer) == m_observers.end()) {
        m_observers.push_back(observer);
    }
}

void Store::removeObserver(StoreObserver *observer)
{
    std::erase(m_observers, observer);
}

void Store::createSystemNamespaces()
{
    std::vector<Resource> namespaces;
    for (const char *name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
        if (get(Kind::Namespace, "", name)) {
            continue;
        }
        Resource resource;
        resource.kind = Kind::Namespace;
        resource.apiVersion = "v1";
        resource.version = "v1";
        resource.metadata.name = name;
        resource.file = "<cluster>";
        resource.document = Node::makeMap();
        resource.document.set("apiVersion", Node::makeScalar("v1"));
        resource.document.set("kind", Node::makeScalar("Namespace"));
        resource.document.set("metadata", Node::makeMap()).set("name", Node::makeScalar(name));
        namespaces.push_back(std::move(resource));
    }
    ApplyOptions options;
    options.validate = false;
    options.recordLastApplied = false;
    apply(namespaces, ApplyMode::Batch, options);
}

ApplyResult Store::apply(const std::vector<Resource> &resources, ApplyMode mode,
                         const ApplyOptions &options, const std::vector<ObjectKey> &remove)
{
    return run(Verb::Apply, resources, mode, options, remove);
}

ApplyResult Store::create(const std::vector<Resource> &resources, ApplyMode mode,
                          const ApplyOptions &options)
{
    return run(Verb::Create, resources, mode, options, {});
}

ApplyResult Store::replace(const std::vector<Resource> &resources, ApplyMode mode,
                           const ApplyOptions &options)
{
    return run(Verb::Replace, resources, mode, options, {});
}

ApplyResult Store::remove(const std::vector<Resource> &resources, ApplyMode mode,
                          const ApplyOptions &options)
{
    return run(Verb::Delete, resources, mode, options, {});
}

DocumentResult Store::remove(const ObjectKey &key)
{
    DocumentResult result;
    result.key = key;
    const auto found = m_objects.find(key);
    if (found == m_objects.end()) {
        result.output = "Error from server (NotFound): " + apiResourceName(key.kind) + " " +
                        quoted(key.name) + " not found";
        result.diagnostics.push_back(
            Diagnostic{Severity::Error, "k8s.not-found", result.output, {}, {}});
        return result;
    }
    Planned planned;
    planned.erase = true;
    planned.object = found->second;
    planned.result.key = key;
    planned.result.action = Action::Deleted;
    planned.result.output = kubectlKindName(key.kind) + " " + quoted(key.name) + " deleted";
    std::vector<Planned> batch;
    batch.push_back(std::move(planned));
    ApplyResult applied;
    commit(batch, applied);
    return batch.front().result;
}

ApplyResult Store::applyText(std::string_view text, const std::string &source, ApplyMode mode,
                             const ApplyOptions &options)
{
    return runText(Verb::Apply, text, source, mode, options);
}

ApplyResult Store::createText(std::string_view text, const std::string &source, ApplyMode mode,
                              const ApplyOptions &options)
{
    return runText(Verb::Create, text, source, mode, options);
}

ApplyResult Store::replaceText(std::string_view text, const std::string &source, ApplyMode mode,
                               const ApplyOptions &options)
{
    return runText(Verb::Replace, text, source, mode, options);
}

ApplyResult Store::removeText(std::string_view text, const std::string &source, ApplyMode mode,
                              const ApplyOptions &options)
{
    return runText(Verb::Delete, text, source, mode, options);
}

ApplyResult Store::runText(Verb verb, std::string_view text, const std::string &source,
                           ApplyMode mode, const ApplyOptions &options)
{
    ParseResult parsed = parseResources(text, source);
    ApplyOptions withSource = options;
    if (withSource.source.empty()) {
        withSource.source = source;
    }
    const bool refused = common::hasErrors(parsed.diagnostics);
    if (refused && (mode == ApplyMode::Batch || parsed.resources.empty())) {
        // All or nothing: an unusable document refuses the whole batch.
        ApplyResult result;
        result.parseDiagnostics = std::move(parsed.diagnostics);
        result.revision = m_revision;
        return result;
    }
    if (parsed.resources.empty()) {
        static constexpr const char *Verbs[] = {"apply", "create", "replace", "delete"};
        ApplyResult result;
        result.parseDiagnostics.push_back(
            Diagnostic{Severity::Error,
                       "kubectl.no-objects",
                       std::string("no objects passed to ") + Verbs[static_cast<int>(verb)],
                       common::SourceLocation{source, 0, 0},
                       {}});
        result.revision = m_revision;
        return result;
    }
    ApplyResult result = run(verb, parsed.resources, mode, withSource, {});
    result.parseDiagnostics = std::move(parsed.diagnostics);
    return result;
}

Store::Planned Store::plan(Verb verb, const Resource &resource, const ApplyOptions &options,
                           const Overlay &overlay) const
{
    Planned planned;
    DocumentResult &result = planned.result;
    const std::string nameSpace = effectiveNamespace(resource, options);
    const ObjectKey key{resource.kind, nameSpace, resource.metadata.name};
    result.key = key;
    const std::string source = options.source.empty() ? resource.file : options.source;
    const std::string objectRef = apiResourceName(key.kind) + " " + quoted(key.name);
    const auto refuse = [&](std::string code, std::string line) {
        result.action = Action::Failed;
        result.output = line;
        result.diagnostics.push_back(storeError(resource, std::move(code), std::move(line)));
        return std::move(planned);
    };

    if (resource.info().namespaced && !options.nameSpace.empty() &&
        !resource.metadata.nameSpace.empty() && resource.metadata.nameSpace != options.nameSpace) {
        return refuse("k8s.namespace-mismatch",
                      "error: the namespace from the provided object " +
                          quoted(resource.metadata.nameSpace) + " does not match the namespace " +
                          quoted(options.nameSpace) + ". You must pass '--namespace=" +
                          resource.metadata.nameSpace + "' to perform this operation.");
    }

    const StoredObject *existing = overlay.find(key);
    if (verb == Verb::Delete) {
        if (!existing) {
            return refuse("k8s.not-found", "Error from server (NotFound): error when deleting " +
                                               quoted(source) + ": " + objectRef + " not found");
        }
        planned.erase = true;
        planned.object = *existing;
        result.action = Action::Deleted;
        result.output = kubectlKindName(key.kind) + " " + quoted(key.name) + " deleted";
        return planned;
    }
    if (verb == Verb::Replace && !existing) {
        return refuse("k8s.not-found", "Error from server (NotFound): error when replacing " +
                                           quoted(source) + ": " + objectRef + " not found");
    }
    const std::string verbText = verb == Verb::Replace             ? "replacing"
                                 : existing && verb == Verb::Apply ? "patching"
                                                                   : "creating";
    if (!existing && resource.info().namespaced &&
        !overlay.find(ObjectKey{Kind::Namespace, {}, nameSpace})) {
        return refuse("k8s.namespace-not-found",
                      "Error from server (NotFound): error when " + verbText + " " +
                          quoted(source) + ": namespaces " + quoted(nameSpace) + " not found");
    }

    Resource stored = normalised(resource, nameSpace);
    if (existing) {
        keepServerFields(existing->resource, stored);
    }
    const bool sameContent =
        existing && sameValue(comparableContent(existing->resource), comparableContent(stored));
    const bool needsAnnotation = verb == Verb::Apply && existing && !existing->lastAppliedByApply &&
                                 options.recordLastApplied;
    if (verb == Verb::Apply && sameContent && !needsAnnotation) {
        // kubectl computes an empty patch and sends nothing, so nothing is validated either.
        result.action = Action::Unchanged;
        result.output = kubectlKindName(key.kind) + "/" + key.name + " unchanged";
        return planned;
    }

    if (options.validate && m_validator) {
        Diagnostics found = m_validator->validate(stored);
        if (common::hasErrors(found)) {
            result.action = Action::Failed;
            result.output = m_validator->refusalLine(stored, found, verbText, source);
            result.diagnostics = std::move(found);
            return planned;
        }
        result.warnings = messagesOf(found, Severity::Warning);
        result.diagnostics = std::move(found);
    }

    // The server's optimistic concurrency: a replace that names an older resourceVersion
    // (from a `kubectl get -o yaml` taken before another write) is refused.
    const Node *metadata = resource.document.find("metadata");
    const Node *version = metadata ? metadata->find("resourceVersion") : nullptr;
    if (verb == Verb::Replace && version && version->isScalar() && !version->isNullValue() &&
        version->scalar != std::to_string(existing->resourceVersion)) {
        return refuse("k8s.conflict",
                      "Error from server (Conflict): error when replacing " + quoted(source) +
                          ": Operation cannot be fulfilled on " + objectRef +
                          ": the object has been modified; please apply your changes to the "
                          "latest version and try again");
    }

    if (verb == Verb::Create && existing) {
        return refuse("k8s.already-exists", "Error from server (AlreadyExists): error when "
                                            "creating " +
                                                quoted(source) + ": " + objectRef +
                                                " already exists");
    }

    if (needsAnnotation) {
        result.warnings.insert(result.warnings.begin(), missingLastAppliedWarning(key));
    }
    const Action action = verb == Verb::Replace ? Action::Replaced
                          : existing            ? Action::Configured
                                                : Action::Created;
    result.action = action;
    result.output = kubectlKindName(key.kind) + "/" + key.name + " " + actionName(action);
    // A replace with identical content is a no-op update on the server: no new version.
    planned.write = !(verb == Verb::Replace && sameContent);
    planned.object.resource = std::move(stored);
    planned.object.createdRevision = existing ? existing->createdRevision : 0;
    planned.object.lastAppliedByApply = verb == Verb::Apply && options.recordLastApplied;
    return planned;
}

ApplyResult Store::run(Verb verb, const std::vector<Resource> &resources, ApplyMode mode,
                       const ApplyOptions &options, const std::vector<ObjectKey> &remove)
{
    ApplyResult result;
    if (mode == ApplyMode::PerDocument) {
        for (const Resource &resource : resources) {
            std::vector<Planned> single;
            single.push_back(plan(verb, resource, options, Overlay(m_objects)));
            commit(single, result);
            result.documents.push_back(std::move(single.front().result));
        }
        result.revision = m_revision;
        return result;
    }

    Overlay overlay(m_objects);
    std::vector<Planned> planned;
    bool refused = false;
    for (const Resource &resource : resources) {
        planned.push_back(plan(verb, resource, options, overlay));
        const Planned &last = planned.back();
        if (last.result.action == Action::Failed) {
            refused = true;
        } else if (last.erase) {
            overlay.erase(last.result.key);
        } else if (last.write) {
            overlay.put(last.object);
        }
    }
    for (const ObjectKey &key : remove) {
        if (const StoredObject *existing = overlay.find(key)) {
            Planned deletion;
            deletion.erase = true;
            deletion.object = *existing;
            deletion.result.key = key;
            deletion.result.action = Action::Deleted;
            deletion.result.output =
                kubectlKindName(key.kind) + " " + quoted(key.name) + " deleted";
            overlay.erase(key);
            planned.push_back(std::move(deletion));
        }
    }
    if (refused) {
        for (Planned &entry : planned) {
            if (entry.result.action != Action::Failed) {
                entry.result.action = Action::NotApplied;
                entry.result.output.clear();
            }
            result.documents.push_back(std::move(entry.result));
        }
        result.revision = m_revision;
        return result;
    }
    commit(planned, result);
    for (Planned &entry : planned) {
        result.documents.push_back(std::move(entry.result));
    }
    result.revision = m_revision;
    return result;
}

void Store::commit(std::vector<Planned> &planned, ApplyResult &result)
{
    StoreChange change;
    const std::int64_t next = m_revision + 1;
    for (Planned &entry : planned) {
        if (entry.erase) {
            const ObjectKey key = entry.object.key();
            if (m_objects.erase(key) > 0) {
                change.changes.push_back(ObjectChange{ChangeType::Deleted, key});
            }
            if (key.kind == Kind::Namespace) {
                deleteNamespaceContents(key.name, change.changes);
            }
        } else if (entry.write) {
            StoredObject object = std::move(entry.object);
            const ObjectKey key = object.key();
            const auto existing = m_objects.find(key);
            const bool added = existing == m_objects.end();
            object.resourceVersion = next;
            object.createdRevision = added ? next : existing->second.createdRevision;
            m_objects.insert_or_assign(key, std::move(object));
            change.changes.push_back(
                ObjectChange{added ? ChangeType::Added : ChangeType::Modified, key});
        }
    }
    if (change.changes.empty()) {
        return;
    }
    m_revision = next;
    change.revision = next;
    result.changed = true;
    notify(change);
}

bool Store::updateServerFields(const std::vector<ServerEdit> &edits)
{
    StoreChange change;
    const std::int64_t next = m_revision + 1;
    for (const ServerEdit &entry : edits) {
        const auto found = m_objects.find(entry.key);
        if (found == m_objects.end() || !entry.edit) {
            continue;
        }
        Node document = found->second.resource.document;
        entry.edit(document);
        if (sameValue(document, found->second.resource.document)) {
            continue;
        }
        found->second.resource.document = std::move(document);
        found->second.resourceVersion = next;
        change.changes.push_back(ObjectChange{ChangeType::Modified, entry.key});
    }
    if (change.changes.empty()) {
        return false;
    }
    m_revision = next;
    change.revision = next;
    notify(change);
    return true;
}

void Store::deleteNamespaceContents(const std::string &nameSpace,
                                    std::vector<ObjectChange> &changes)
{
    for (auto it = m_objects.begin(); it != m_objects.end();) {
        if (it->first.nameSpace == nameSpace && kindInfo(it->first.kind).namespaced) {
            changes.push_back(ObjectChange{ChangeType::Deleted, it->first});
            it = m_objects.erase(it);
        } else {
            ++it;
        }
    }
}

void Store::notify(const StoreChange &change)
{
    // A copy: an observer may add or remove observers while being told.
    const std::vector<StoreObserver *> observers = m_observers;
    for (StoreObserver *observer : observers) {
        if (std::find(m_observers.begin(), m_observers.end(), observer) != m_observers.end()) {
            observer->onStoreChanged(change);
        }
    }
}

const StoredObject *Store::get(const ObjectKey &key) const
{
    const auto found = m_objects.find(key);
    return found == m_objects.end() ? nullptr : &found->second;
}

const StoredObject *Store::get(Kind kind, std::string_view nameSpace, std::string_view name) const
{
    const bool namespaced = kindInfo(kind).namespaced;
    return get(
        ObjectKey{kind, namespaced ? std::string(nameSpace) : std::string(), std::string(name)});
}

std::vector<const StoredObject *> Store::list(Kind kind, std::optional<std::string> nameSpace) const
{
    std::vector<const StoredObject *> out;
    const bool namespaced = kindInfo(kind).namespaced;
    for (const auto &[key, object] : m_objects) {
        if (key.kind != kind) {
            continue;
        }
        if (namespaced && nameSpace && key.nameSpace != *nameSpace) {
            continue;
        }
        out.push_back(&object);
    }
    return out;
}

} // namespace meshcraft::core::config
