// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/lab/checks.h"

#include "core/common/text.h"
#include "core/config/mesh_config.h"
#include "core/config/resource.h"
#include "core/config/store.h"

#include <algorithm>
#include <regex>

namespace meshcraft::core::lab {

namespace {

using config::Node;

/// A proxy id belongs to `name` when it is the name itself, its pod ("busybox.default") or a
/// pod of its Deployment ("istio-egressgateway-5d8f…-x2k9q.istio-system").
bool proxyIsNamed(const std::string &proxyId, const std::string &name)
{
    return proxyId == name || common::startsWith(proxyId, name + ".") ||
           common::startsWith(proxyId, name + "-");
}

/// `connected` is also met by a probe that got Redis' reply: a reply needs a connection.
bool outcomeSatisfies(const std::string &recorded, const std::string &wanted)
{
    return recorded == wanted || (wanted == "connected" && recorded == "pong");
}

std::string describe(const ProbeRecord &probe)
{
    std::string text = probe.tool + " from " + probe.pod + " to " + probe.to + ": " + probe.outcome;
    if (!probe.path.empty()) {
        return text + " (" + probe.path + ")";
    }
    if (!probe.clusters.empty()) {
        text += " via " + common::join(probe.clusters, " -> ");
    }
    if (!probe.flags.empty() && probe.flags != "-") {
        text += " (" + probe.flags + ")";
    }
    return text;
}

ProbeCondition expanded(const ProbeCondition &c, const std::map<std::string, std::string> &vars)
{
    ProbeCondition out = c;
    out.from = expandVariables(c.from, vars);
    out.to = expandVariables(c.to, vars);
    const auto expandOptional = [&](std::optional<std::string> &value) {
        if (value) {
            value = expandVariables(*value, vars);
        }
    };
    expandOptional(out.cluster);
    expandOptional(out.flags);
    expandOptional(out.via);
    expandOptional(out.notVia);
    return out;
}

CheckResult judgeProbes(const std::vector<ProbeRecord> &probes, const ProbeCondition &condition,
                        int step)
{
    CheckResult result;
    std::string lastWhy;
    for (auto it = probes.rbegin(); it != probes.rend(); ++it) {
        std::string why;
        if (probeMatches(*it, condition, step, &why)) {
            result.passed = true;
            result.detail = "seen: " + describe(*it);
            return result;
        }
        if (lastWhy.empty() && it->pod == condition.from && it->to == condition.to) {
            lastWhy = "last seen: " + describe(*it) + " (" + why + ")";
        }
    }
    result.detail = lastWhy.empty()
                        ? "no probe from " + condition.from + " to " + condition.to + " seen"
                        : lastWhy;
    return result;
}

CheckResult judgeResource(const ResourceCondition &c, const config::Store &store,
                          const std::map<std::string, std::string> &vars)
{
    CheckResult result;
    const config::KindInfo *kind = config::findKindByResourceName(c.kind);
    if (!kind) {
        result.detail = "unknown kind " + c.kind;
        return result;
    }
    const std::string name = expandVariables(c.name, vars);
    const config::StoredObject *object =
        store.get(kind->kind, kind->namespaced ? c.nameSpace : std::string(), name);
    if (!object) {
        result.detail = std::string(kind->name) + " " + c.nameSpace + "/" + name + " not found";
        return result;
    }
    const Node &document = object->resource.document;
    if (c.hasContainer) {
        const Node *found = findField(document, "spec.containers[" + *c.hasContainer + "]");
        if (!found) {
            result.detail = "no container " + *c.hasContainer;
            return result;
        }
    }
    if (c.field) {
        const Node *value = findField(document, *c.field);
        if (!value) {
            result.detail = *c.field + " is not set";
            return result;
        }
        if (c.equals) {
            const std::string wanted = expandVariables(*c.equals, vars);
            const std::string actual = value->isScalar() ? value->scalar : config::toJson(*value);
            if (actual != wanted) {
                result.detail = *c.field + " is " + actual;
                return result;
            }
        }
    }
    result.passed = true;
    result.detail = std::string(kind->name) + " " + c.nameSpace + "/" + name + " found";
    return result;
}

CheckResult judgeHistory(const HistoryCondition &c, const std::vector<CommandRecord> &commands,
                         const std::map<std::string, std::string> &vars)
{
    CheckResult result;
    std::regex ran;
    std::optional<std::regex> before;
    try {
        ran = std::regex(expandVariables(c.ran, vars), std::regex::ECMAScript);
        if (c.before) {
            before = std::regex(expandVariables(*c.before, vars), std::regex::ECMAScript);
        }
    } catch (const std::regex_error &) {
        result.detail = "the check's regular expression is invalid";
        return result;
    }
    for (std::size_t i = 0; i < commands.size(); ++i) {
        const CommandRecord &command = commands[i];
        if (!std::regex_search(command.line, ran)) {
            continue;
        }
        if (c.succeeded.value_or(false) && command.exitStatus != 0) {
            continue;
        }
        if (before) {
            const bool followed = std::any_of(
                commands.begin() + static_cast<std::ptrdiff_t>(i) + 1, commands.end(),
                [&](const CommandRecord &later) { return std::regex_search(later.line, *before); });
            if (!followed) {
                continue;
            }
        }
        result.passed = true;
        result.detail = "ran: " + command.line;
        return result;
    }
    result.detail = "no matching command in the history";
    return result;
}

struct PathSegment
{
    std::string key;      ///< map key; empty for a bare selector
    std::string selector; ///< inside [] ; empty when none
    bool hasSelector = false;
};

std::vector<PathSegment> parsePath(std::string_view path)
{
    std::vector<PathSegment> segments;
    PathSegment current;
    for (std::size_t i = 0; i < path.size(); ++i) {
        const char c = path[i];
        if (c == '.') {
            segments.push_back(std::move(current));
            current = {};
        } else if (c == '[') {
            const std::size_t close = path.find(']', i);
            if (close == std::string_view::npos) {
                return {};
            }
            if (current.hasSelector) { // a[0][1]: a new segment per selector
                segments.push_back(std::move(current));
                current = {};
            }
            current.selector = std::string(path.substr(i + 1, close - i - 1));
            current.hasSelector = true;
            i = close;
        } else {
            current.key += c;
        }
    }
    segments.push_back(std::move(current));
    return segments;
}

const Node *select(const Node &list, const std::string &selector)
{
    if (!list.isSequence()) {
        return nullptr;
    }
    if (!selector.empty() && std::all_of(selector.begin(), selector.end(),
                                         [](char ch) { return ch >= '0' && ch <= '9'; })) {
        const std::size_t index = std::stoul(selector);
        return index < list.items.size() ? &list.items[index] : nullptr;
    }
    std::string field = "name";
    std::string value = selector;
    if (const std::size_t eq = selector.find('='); eq != std::string::npos) {
        field = selector.substr(0, eq);
        value = selector.substr(eq + 1);
    }
    for (const Node &item : list.items) {
        const Node *key = item.find(field);
        if (key && key->isScalar() && key->scalar == value) {
            return &item;
        }
    }
    return nullptr;
}

} // namespace

const Node *findField(const Node &root, std::string_view path)
{
    const Node *node = &root;
    const std::vector<PathSegment> segments = parsePath(path);
    if (segments.empty()) {
        return nullptr;
    }
    for (const PathSegment &segment : segments) {
        if (!segment.key.empty()) {
            node = node->find(segment.key);
        }
        if (node && segment.hasSelector) {
            node = select(*node, segment.selector);
        }
        if (!node) {
            return nullptr;
        }
    }
    return node;
}

std::string outcomeOf(const std::string &tool, int exitStatus, const probe::Trace *trace,
                      const std::string &firstProxy)
{
    (void)firstProxy;
    const bool anyHop = trace && !trace->hops.empty();
    if (anyHop) {
        for (const probe::TraceHop &hop : trace->hops) {
            if (hop.closed && hop.flags != 0) {
                return "closed"; // a proxy cut it: UH, UF, NR
            }
        }
    }
    if (exitStatus == 0) {
        return tool == "redis-cli" ? "pong" : "connected";
    }
    // Through a sidecar the pod's connect always succeeds (the sidecar answers), so a failure
    // there is the far side closing; without one it is the connect itself.
    return anyHop ? "closed" : "refused";
}

bool probeMatches(const ProbeRecord &probe, const ProbeCondition &c, int step, std::string *why)
{
    const auto fail = [&](std::string reason) {
        if (why) {
            *why = std::move(reason);
        }
        return false;
    };
    if (probe.pod != c.from || (!c.nameSpace.empty() && probe.nameSpace != c.nameSpace)) {
        return fail("another pod");
    }
    if (probe.to != c.to) {
        return fail("another destination");
    }
    if (c.sinceStep && probe.step != step) {
        return fail("made before this step");
    }
    if (!outcomeSatisfies(probe.outcome, c.outcome)) {
        return fail("outcome " + probe.outcome + ", not " + c.outcome);
    }
    if (c.cluster && std::find(probe.clusters.begin(), probe.clusters.end(), *c.cluster) ==
                         probe.clusters.end()) {
        return fail("not through " + *c.cluster);
    }
    if (c.flags && probe.flags != *c.flags) {
        return fail("flags " + probe.flags + ", not " + *c.flags);
    }
    const auto passed = [&](const std::string &proxy) {
        return std::any_of(probe.proxies.begin(), probe.proxies.end(),
                           [&](const std::string &id) { return proxyIsNamed(id, proxy); });
    };
    if (c.via && !passed(*c.via)) {
        return fail("did not pass " + *c.via);
    }
    if (c.notVia && passed(*c.notVia)) {
        return fail("passed " + *c.notVia);
    }
    return true;
}

CheckResult evaluateCheck(const CheckDef &check, CheckWorld &world, const CheckHistory &history,
                          const std::map<std::string, std::string> &variables)
{
    CheckResult result = std::visit(
        [&](const auto &c) -> CheckResult {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, ObservedCondition>) {
                return judgeProbes(history.probes, expanded(c, variables), history.step);
            } else if constexpr (std::is_same_v<T, RunProbeCondition>) {
                const ProbeCondition condition = expanded(c, variables);
                const std::optional<ProbeRecord> probe = world.runProbe(condition);
                if (!probe) {
                    return {{}, false, {}, "the probe could not run from " + condition.from};
                }
                return judgeProbes({*probe}, condition, probe->step);
            } else if constexpr (std::is_same_v<T, ResourceCondition>) {
                return judgeResource(c, world.store(), variables);
            } else if constexpr (std::is_same_v<T, MeshCondition>) {
                const auto mesh = config::meshConfigFromStore(world.store());
                const std::string mode =
                    config::outboundModeName(mesh.config.outboundTrafficPolicy);
                return {{}, mode == c.outboundTrafficPolicy, {}, "outboundTrafficPolicy " + mode};
            } else if constexpr (std::is_same_v<T, HistoryCondition>) {
                return judgeHistory(c, history.commands, variables);
            } else if constexpr (std::is_same_v<T, CartCondition>) {
                const std::string target = expandVariables(c.target.value_or(""), variables);
                const std::optional<CartWindow> window = world.cartWindow(target);
                if (!window || window->operations == 0) {
                    return {{}, false, {}, "no recent cart operations against " + target};
                }
                const int percent = static_cast<int>(window->successRate * 100.0 + 0.5);
                return {{},
                        window->successRate >= c.minSuccessRate,
                        {},
                        "success rate " + std::to_string(percent) + "% over " +
                            std::to_string(window->operations) + " operations"};
            } else if constexpr (std::is_same_v<T, CloudServiceCondition>) {
                const bool on = world.serviceEnabled(c.service);
                return {{}, on, {}, c.service + (on ? " enabled" : " not enabled")};
            } else {
                const auto state = world.instanceState(c.name);
                return {{},
                        state && *state == c.state,
                        {},
                        state ? c.name + " is " + *state : "no instance " + c.name};
            }
        },
        check.condition);
    result.name = check.name;
    if (!result.passed) {
        result.sentence = expandVariables(check.fail, variables);
    }
    return result;
}

} // namespace meshcraft::core::lab
