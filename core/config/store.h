// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/diagnostic.h"
#include "core/config/resource.h"

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::config {

/// The identity of an object in the store. Cluster-scoped kinds (Namespace) have an empty
/// namespace.
struct ObjectKey
{
    Kind kind = Kind::ConfigMap;
    std::string nameSpace;
    std::string name;

    auto operator<=>(const ObjectKey &) const = default;
    bool operator==(const ObjectKey &) const = default;
    /// "ServiceEntry default/redis-serviceentry".
    std::string toString() const;
};

/// One stored object: the resource as applied (with its namespace filled in), and the
/// bookkeeping the API server keeps.
struct StoredObject
{
    Resource resource;
    std::int64_t resourceVersion = 0; ///< the store revision of its last write
    std::int64_t createdRevision = 0; ///< the store revision that created it
    /// Whether `kubectl apply` last wrote it; create and replace do not (kubectl then warns
    /// about the missing last-applied-configuration annotation on the next apply).
    bool lastAppliedByApply = false;

    ObjectKey key() const;
};

/// Checks a resource before the store accepts it. Errors block, warnings pass and are
/// returned. The real validators (webhook rules, CRD schema) are injected by the caller.
class ResourceValidator
{
public:
    virtual ~ResourceValidator() = default;
    virtual common::Diagnostics validate(const Resource &resource) const = 0;
    /// The line kubectl prints when the object is refused; `verb` is "creating",
    /// "patching" or "replacing", `source` the file. The default is the Istio webhook's
    /// denial for Istio kinds (`Error from server: error when creating "f.yaml": admission
    /// webhook "validation.istio.io" denied the request: configuration is invalid: ...`) and
    /// the API server's `The Pod "x" is invalid: ...` for the others.
    virtual std::string refusalLine(const Resource &resource, const common::Diagnostics &errors,
                                    std::string_view verb, std::string_view source) const;
};

enum class ChangeType { Added, Modified, Deleted };

struct ObjectChange
{
    ChangeType type = ChangeType::Added;
    ObjectKey key;
};

/// One committed change set: everything a single store operation wrote.
struct StoreChange
{
    std::int64_t revision = 0;
    std::vector<ObjectChange> changes;
};

/// Told once per committed change set, on the store's thread, after the change is visible.
/// An observer may read the store; it may also write, which commits a further change set.
class StoreObserver
{
public:
    virtual ~StoreObserver() = default;
    virtual void onStoreChanged(const StoreChange &change) = 0;
};

enum class Action {
    Created,
    Configured,
    Unchanged,
    Replaced,
    Deleted,
    Failed,     ///< this document was refused
    NotApplied, ///< valid, but a batch it belonged to was refused
};

const char *actionName(Action action);

/// What happened to one document.
struct DocumentResult
{
    ObjectKey key;
    Action action = Action::Failed;
    /// Validation findings (warnings on success; errors when refused) and store errors
    /// (codes k8s.already-exists, k8s.not-found, k8s.namespace-not-found,
    /// k8s.namespace-mismatch, k8s.invalid).
    common::Diagnostics diagnostics;
    /// The line kubectl prints: `serviceentry.networking.istio.io/x created` on stdout, or
    /// `Error from server (NotFound): ...` on stderr. Empty for NotApplied.
    std::string output;
    /// Warnings kubectl prints on stderr before the line (`Warning: ...`), without the prefix.
    std::vector<std::string> warnings;

    bool ok() const { return action != Action::Failed && action != Action::NotApplied; }
};

struct ApplyResult
{
    std::vector<DocumentResult> documents;
    /// YAML and identity problems of the input text (for the text entry points).
    common::Diagnostics parseDiagnostics;
    /// The store's revision after the operation.
    std::int64_t revision = 0;
    /// Whether anything was written.
    bool changed = false;

    /// True when every document succeeded and the text parsed.
    bool ok() const;
    /// All lines kubectl would print, in order (warnings prefixed `Warning: `).
    std::vector<std::string> outputLines() const;
};

enum class ApplyMode {
    Batch,       ///< all or nothing (the editor); one change set
    PerDocument, ///< in order, each on its own (`kubectl apply -f`); one change set each
};

struct ApplyOptions
{
    /// `-n`/`--namespace` as given on the command line; empty when not given.
    std::string nameSpace;
    /// The source named in kubectl's messages (`error when creating "f.yaml"`); each
    /// resource's own `file` when empty.
    std::string source;
    /// Run the injected validator. Tiller's renders skip it.
    bool validate = true;
    /// Whether an apply records kubectl's last-applied configuration. Tiller's writes do
    /// not, so a later `kubectl apply` warns, as on a real cluster.
    bool recordLastApplied = true;
};

/// The one source of truth of the simulated cluster: Kubernetes objects and Istio resources,
/// with kubectl's semantics.
///
/// Threading: the store is owned by one thread (the session's). Every call, and every
/// observer notification, happens on that thread; there is no internal locking. Other
/// threads get snapshots (for instance the compiled xDS config), never the store itself.
///
/// Revisions: the store revision rises by one per committed change set; each object's
/// resourceVersion is the revision that last wrote it. An operation that changes nothing
/// (an unchanged apply, a refused batch) leaves the revision alone and notifies no one.
class Store
{
public:
    Store() = default;
    Store(const Store &) = delete;
    Store &operator=(const Store &) = delete;

    /// The validator used by operations with ApplyOptions::validate (not owned; may be null).
    void setValidator(const ResourceValidator *validator) { m_validator = validator; }
    const ResourceValidator *validator() const { return m_validator; }

    void addObserver(StoreObserver *observer);
    void removeObserver(StoreObserver *observer);

    /// Creates the namespaces every cluster starts with (default, kube-system, kube-public,
    /// kube-node-lease) that are missing, as one change set.
    void createSystemNamespaces();

    std::int64_t revision() const { return m_revision; }

    /// `kubectl apply -f`. Batch: every document is checked first and nothing changes
    /// unless all pass. PerDocument: each document succeeds or fails on its own.
    /// `remove` lists objects a batch deletes in the same change set (Tiller's prune);
    /// it is ignored for PerDocument.
    ApplyResult apply(const std::vector<Resource> &resources, ApplyMode mode,
                      const ApplyOptions &options = {}, const std::vector<ObjectKey> &remove = {});
    /// `kubectl create -f`: AlreadyExists when the object is there.
    ApplyResult create(const std::vector<Resource> &resources, ApplyMode mode,
                       const ApplyOptions &options = {});
    /// `kubectl replace -f`: NotFound when it is not.
    ApplyResult replace(const std::vector<Resource> &resources, ApplyMode mode,
                        const ApplyOptions &options = {});
    /// `kubectl delete -f`: NotFound when it is not. Validation does not apply.
    ApplyResult remove(const std::vector<Resource> &resources, ApplyMode mode,
                       const ApplyOptions &options = {});
    /// `kubectl delete <kind> <name> [-n ns]`. Deleting a Namespace deletes what is in it.
    DocumentResult remove(const ObjectKey &key);

    /// One write by the API server or a controller rather than by kubectl: the status
    /// subresource (a Pod's `status.podIP`) or a field the server allocates (a Service's
    /// `spec.clusterIP`). `edit` changes the stored document in place.
    struct ServerEdit
    {
        ObjectKey key;
        std::function<void(Node &document)> edit;
    };
    /// Applies the edits as one change set, without validation and keeping kubectl's
    /// bookkeeping (last-applied). Edits of missing objects, and edits that change nothing,
    /// are skipped. Returns whether anything was written.
    bool updateServerFields(const std::vector<ServerEdit> &edits);

    /// The text entry points parse first (`source` names the file); a YAML error refuses
    /// the whole text, as kubectl does, and unusable documents are reported and skipped.
    ApplyResult applyText(std::string_view text, const std::string &source, ApplyMode mode,
                          const ApplyOptions &options = {});
    ApplyResult createText(std::string_view text, const std::string &source, ApplyMode mode,
                           const ApplyOptions &options = {});
    ApplyResult replaceText(std::string_view text, const std::string &source, ApplyMode mode,
                            const ApplyOptions &options = {});
    ApplyResult removeText(std::string_view text, const std::string &source, ApplyMode mode,
                           const ApplyOptions &options = {});

    const StoredObject *get(const ObjectKey &key) const;
    const StoredObject *get(Kind kind, std::string_view nameSpace, std::string_view name) const;
    /// Objects of a kind, ordered by namespace then name; `nameSpace` nullopt means all
    /// namespaces. Cluster-scoped kinds ignore the namespace.
    std::vector<const StoredObject *> list(Kind kind,
                                           std::optional<std::string> nameSpace = {}) const;
    std::size_t size() const { return m_objects.size(); }

private:
    enum class Verb { Apply, Create, Replace, Delete };
    struct Planned;
    class Overlay;

    ApplyResult run(Verb verb, const std::vector<Resource> &resources, ApplyMode mode,
                    const ApplyOptions &options, const std::vector<ObjectKey> &remove);
    ApplyResult runText(Verb verb, std::string_view text, const std::string &source, ApplyMode mode,
                        const ApplyOptions &options);
    Planned plan(Verb verb, const Resource &resource, const ApplyOptions &options,
                 const Overlay &overlay) const;
    void commit(std::vector<Planned> &planned, ApplyResult &result);
    void deleteNamespaceContents(const std::string &nameSpace, std::vector<ObjectChange> &changes);
    void notify(const StoreChange &change);

    std::map<ObjectKey, StoredObject> m_objects;
    std::int64_t m_revision = 0;
    const ResourceValidator *m_validator = nullptr;
    std::vector<StoreObserver *> m_observers;
};

/// kubectl's name for a kind in success lines: "serviceentry.networking.istio.io", "pod",
/// "deployment.apps".
std::string kubectlKindName(Kind kind);
/// The API resource name in server errors: "serviceentries.networking.istio.io", "pods".
std::string apiResourceName(Kind kind);
/// The content of a resource as kubectl apply compares it: the document without positions
/// and without the fields the server manages (status, resourceVersion, uid, ...).
Node comparableContent(const Resource &resource);

} // namespace meshcraft::core::config
