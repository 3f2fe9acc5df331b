// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/config/yaml_node.h"
#include "core/lab/lab_definition.h"
#include "core/probe/probe_result.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::config {
class Store;
}

namespace meshcraft::core::lab {

/// One check's verdict, with the sentence the guide shows.
struct CheckResult
{
    std::string name;
    bool passed = false;
    std::string sentence; ///< the check's `fail` sentence (expanded) when failed; empty if passed
    std::string detail;   ///< why, in a few words ("seen: closed via BlackHoleCluster")
    bool operator==(const CheckResult &) const = default;
};

/// A probe the learner ran from a pod (telnet, nc, redis-cli), as the session recorded it:
/// judged from its trace and exit status, never from its text (D12).
struct ProbeRecord
{
    std::uint64_t sequence = 0;
    int step = 0;    ///< the step that was current when it ran
    std::string pod; ///< "busybox"
    std::string nameSpace;
    std::string tool;    ///< "telnet"
    std::string to;      ///< "10.59.118.59:6379"
    std::string outcome; ///< connected | closed | refused | pong | failed
    int exitStatus = 0;
    std::vector<std::string> proxies;  ///< every hop's proxy id, in order
    std::vector<std::string> clusters; ///< every decided hop's cluster, in order
    std::string flags;                 ///< of the hop that closed with flags, else "-"
    std::uint64_t traceId = 0;
    /// The flow's path for a transcript: "busybox.default -> PassthroughCluster ->
    /// 10.59.118.59:6379", one "proxy -> cluster ->" per hop.
    std::string path;
};

/// A command line the learner ran (or a solution ran), in order.
struct CommandRecord
{
    std::uint64_t sequence = 0;
    int step = 0;
    std::string context; ///< "host", or the pod's name
    std::string line;    ///< as typed
    int exitStatus = 0;
};

/// The cart service's rate over the recent window.
struct CartWindow
{
    std::string target;
    std::uint64_t operations = 0;
    double successRate = 0.0;
};

/// What checks read of the running world. The session implements it over its World; tests use
/// a fake.
class CheckWorld
{
public:
    virtual ~CheckWorld() = default;
    virtual const config::Store &store() const = 0;
    virtual bool serviceEnabled(const std::string &service) const = 0;
    /// "READY", "CREATING", …; nullopt when no such instance.
    virtual std::optional<std::string> instanceState(const std::string &name) const = 0;
    /// The recent window of the cart workload whose target matches (any target when empty).
    virtual std::optional<CartWindow> cartWindow(const std::string &target) const = 0;
    /// Runs a probe from a pod and records nothing (the `probe:` condition).
    virtual std::optional<ProbeRecord> runProbe(const ProbeCondition &condition) = 0;
};

/// What the session knows of the learner's past, for `observed:` and `history:`.
struct CheckHistory
{
    const std::vector<ProbeRecord> &probes;
    const std::vector<CommandRecord> &commands;
    int step = 0; ///< the step being checked (1-based)
};

/// Evaluates one check; `variables` expand ${NAME} in its fields and sentence.
CheckResult evaluateCheck(const CheckDef &check, CheckWorld &world, const CheckHistory &history,
                          const std::map<std::string, std::string> &variables);

/// Whether a recorded probe satisfies an `observed:`/`probe:` condition (already expanded).
bool probeMatches(const ProbeRecord &probe, const ProbeCondition &condition, int step,
                  std::string *why = nullptr);

/// The node at a field path: `a.b[0]`, `env[NAME]` (the item whose `name` is NAME) and
/// `ports[port=6379]` (the item whose field equals the value). nullptr when absent.
const config::Node *findField(const config::Node &root, std::string_view path);

/// The outcome word of a probe from its trace and exit status: "connected" when the flow was
/// established end to end and not cut by a proxy, "closed" when a proxy (or the peer) closed it
/// with a response flag, "refused" when there was no connection, "pong" when a redis-cli got
/// its replies. `tool` is telnet, nc or redis-cli.
std::string outcomeOf(const std::string &tool, int exitStatus, const probe::Trace *trace,
                      const std::string &firstProxy);

} // namespace meshcraft::core::lab
