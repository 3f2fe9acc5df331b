// SPDX-License-Identifier: GPL-3.0-or-later
// The analyzers' shared context, and the text, label and host rules they share.
#include "core/common/text.h"
#include "core/config/analyzer_p.h"
#include "core/config/istio_types.h"
#include "core/config/k8s_types.h"

#include <algorithm>
#include <cstdio>

namespace meshcraft::core::config::detail {

std::string AnalyzedObject::fullName() const
{
    return nameSpace.empty() ? name() : nameSpace + "/" + name();
}

AnalysisContext::AnalysisContext(std::vector<AnalyzedObject> objects)
    : m_objects(std::move(objects))
{
    for (const AnalyzedObject &object : m_objects) {
        m_byKind[object.resource->kind].push_back(&object);
    }
    for (auto &[kind, list] : m_byKind) {
        std::sort(list.begin(), list.end(), [](const AnalyzedObject *a, const AnalyzedObject *b) {
            return std::tie(a->nameSpace, a->name()) < std::tie(b->nameSpace, b->name());
        });
    }
}

const std::vector<const AnalyzedObject *> &AnalysisContext::objects(Kind kind) const
{
    static const std::vector<const AnalyzedObject *> none;
    const auto it = m_byKind.find(kind);
    return it == m_byKind.end() ? none : it->second;
}

const AnalyzedObject *AnalysisContext::find(Kind kind, std::string_view nameSpace,
                                            std::string_view name) const
{
    for (const AnalyzedObject *object : objects(kind)) {
        if (object->nameSpace == nameSpace && object->name() == name) {
            return object;
        }
    }
    return nullptr;
}

int AnalysisContext::fieldLine(const AnalyzedObject &object,
                               std::initializer_list<PathStep> path) const
{
    if (object.file.empty()) {
        return 0;
    }
    const Node *node = &object.resource->document;
    for (const PathStep &step : path) {
        if (const auto *key = std::get_if<std::string_view>(&step)) {
            node = node->find(*key);
        } else {
            const std::size_t index = std::get<std::size_t>(step);
            node = node->isSequence() && index < node->items.size() ? &node->items[index] : nullptr;
        }
        if (!node) {
            return 0;
        }
    }
    // istioctl's field map holds scalars only (an empty value is a null scalar).
    if (node->isMap() || node->isSequence() || node->mark.line <= 0) {
        return 0;
    }
    return node->mark.line + object.fieldLineShift;
}

void AnalysisContext::report(const AnalyzedObject &object, const MessageType &type,
                             std::string text, int line)
{
    AnalysisMessage message;
    message.level = type.level;
    message.code = type.code;
    message.type = type.name;
    message.kind = object.resource->kind;
    message.nameSpace = object.nameSpace;
    message.name = object.name();
    message.file = object.file;
    if (!object.file.empty()) {
        message.line = line > 0 ? line : object.startLine;
    }
    message.text = std::move(text);
    m_messages.push_back(std::move(message));
}

std::string goList(const std::vector<std::string> &items)
{
    return "[" + common::join(items, " ") + "]";
}

std::string goList(const std::vector<int> &items)
{
    std::vector<std::string> texts;
    texts.reserve(items.size());
    for (const int item : items) {
        texts.push_back(std::to_string(item));
    }
    return goList(texts);
}

std::string referencedNotFound(std::string_view type, std::string_view value)
{
    return "Referenced " + std::string(type) + " not found: " + goQuote(value);
}

std::string selectorString(const std::map<std::string, std::string> &selector)
{
    std::vector<std::string> parts;
    for (const auto &[key, value] : selector) {
        parts.push_back(key + "=" + value);
    }
    return common::join(parts, ",");
}

bool selectorMatches(const std::map<std::string, std::string> &selector,
                     const std::map<std::string, std::string> &labels)
{
    return std::all_of(selector.begin(), selector.end(), [&labels](const auto &entry) {
        const auto it = labels.find(entry.first);
        return it != labels.end() && it->second == entry.second;
    });
}

std::string toFqdn(std::string_view nameSpace, std::string_view host)
{
    if (common::startsWith(host, "*") || host.find('.') != std::string_view::npos) {
        return std::string(host);
    }
    return std::string(host) + "." + std::string(nameSpace) + ".svc.cluster.local";
}

namespace {

constexpr std::string_view ExportToAll = "*";
constexpr std::string_view ExportToLocal = ".";

std::vector<std::string> valuesOf(const std::vector<MarkedString> &marked)
{
    std::vector<std::string> out;
    out.reserve(marked.size());
    for (const MarkedString &item : marked) {
        out.push_back(item.value);
    }
    return out;
}

} // namespace

ServiceRegistry::ServiceRegistry(const AnalysisContext &context)
{
    for (const AnalyzedObject *object : context.objects(Kind::ServiceEntry)) {
        const auto entry = serviceEntryFrom(*object->resource);
        Service service;
        for (const ServicePort &port : entry->ports) {
            service.ports.push_back(port.number);
        }
        const std::vector<std::string> exportTo = valuesOf(entry->exportTo);
        for (const MarkedString &host : entry->hosts) {
            const std::string fqdn = toFqdn(object->nameSpace, host.value);
            if (exportTo.empty()) {
                add(std::string(ExportToAll), fqdn, service);
                continue;
            }
            for (const std::string &scope : exportTo) {
                if (scope == ExportToAll) {
                    add(scope, fqdn, service);
                    break; // visible everywhere: the other scopes add nothing
                }
                add(scope == ExportToLocal ? object->nameSpace : scope, fqdn, service);
            }
        }
    }
    // Kubernetes Services count as ServiceEntries for their cluster-local name.
    for (const AnalyzedObject *object : context.objects(Kind::Service)) {
        const auto svc = serviceFrom(*object->resource);
        Service service;
        for (const ServicePortSpec &port : svc->ports) {
            service.ports.push_back(port.port);
        }
        const std::string fqdn = toFqdn(object->nameSpace, object->name());
        const auto annotation = svc->metadata.annotations.find("networking.istio.io/exportTo");
        if (annotation == svc->metadata.annotations.end() || annotation->second.empty()) {
            add(std::string(ExportToAll), fqdn, service);
            continue;
        }
        for (const std::string &scope : common::split(annotation->second, ',')) {
            add(scope == ExportToLocal ? object->nameSpace : scope, fqdn, service);
        }
    }
}

void ServiceRegistry::add(std::string scope, std::string fqdn, Service service)
{
    m_scoped[scope + "/" + fqdn] = std::move(service);
}

const ServiceRegistry::Service *ServiceRegistry::lookup(std::string_view nameSpace,
                                                        const std::vector<std::string> &exportTo,
                                                        std::string_view host) const
{
    const std::string fqdn = toFqdn(nameSpace, host);
    const auto at = [this](const std::string &key) -> const Service * {
        const auto it = m_scoped.find(key);
        return it == m_scoped.end() ? nullptr : &it->second;
    };
    if (const Service *service = at(std::string(ExportToAll) + "/" + fqdn)) {
        return service;
    }
    if (exportTo.empty()) {
        if (const Service *service = at(std::string(nameSpace) + "/" + fqdn)) {
            return service;
        }
    } else {
        for (const std::string &scope : exportTo) {
            const std::string ns = scope == ExportToLocal ? std::string(nameSpace) : scope;
            if (const Service *service = at(ns + "/" + fqdn)) {
                return service;
            }
        }
    }
    // Wildcard hosts last, as Istio does: visible ones whose suffix covers the host.
    const std::string_view bare = common::startsWith(host, "*") ? host.substr(1) : host;
    for (const auto &[key, service] : m_scoped) {
        const std::size_t slash = key.find('/');
        const std::string_view scope = std::string_view(key).substr(0, slash);
        const std::string_view seHost = std::string_view(key).substr(slash + 1);
        if (!common::startsWith(seHost, "*") || (scope != ExportToAll && scope != nameSpace)) {
            continue;
        }
        if (common::endsWith(bare, seHost.substr(1))) {
            return &service;
        }
    }
    return nullptr;
}

} // namespace meshcraft::core::config::detail
