// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/cloud/redis_process.h"
#include "core/common/result.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::cloud {

namespace errors {
inline constexpr const char *ApiNotEnabled = "cloud.api-not-enabled";
inline constexpr const char *AlreadyExists = "cloud.already-exists";
inline constexpr const char *NotFound = "cloud.not-found";
inline constexpr const char *InvalidChoice = "cloud.invalid-choice"; // argparse: exit status 2
inline constexpr const char *InvalidArgument = "cloud.invalid-argument";
inline constexpr const char *MissingRegion = "cloud.missing-region";
inline constexpr const char *FailedPrecondition = "cloud.failed-precondition";
inline constexpr const char *UnknownService = "cloud.unknown-service";
} // namespace errors

/// The API that `gcloud redis` needs enabled.
inline constexpr const char *RedisApi = "redis.googleapis.com";
/// The port every Memorystore instance serves on, in the simulated VPC.
inline constexpr std::uint16_t MemorystorePort = 6379;

enum class InstanceState { Creating, Ready, Deleting };

/// Memorystore's spelling: "CREATING", "READY", "DELETING".
const char *instanceStateName(InstanceState state);

/// A value snapshot of one instance: Memorystore's fields, then where the simulation serves it.
struct Instance
{
    std::string name;              ///< the instance id, e.g. "redis-cart"
    std::string project;           ///< the project id, P
    std::string region;            ///< e.g. "europe-west1"
    std::string locationId;        ///< the zone, e.g. "europe-west1-b"
    std::string currentLocationId; ///< the zone it runs in now
    std::string tier;              ///< "BASIC" or "STANDARD_HA"
    int memorySizeGb = 1;
    std::string redisVersion;    ///< as requested, e.g. "REDIS_4_0" (D15)
    std::string reservedIpRange; ///< e.g. "10.59.118.56/29"
    std::string host;            ///< e.g. "10.59.118.59": the range's base + 3
    std::uint32_t hostIp = 0;    ///< the same in host byte order, as net::Address::ip takes it
    std::uint16_t port = MemorystorePort;
    InstanceState state = InstanceState::Creating;
    std::string authorizedNetwork; ///< "projects/P/global/networks/default"
    std::string connectMode;       ///< "DIRECT_PEERING"
    std::string persistenceIamIdentity;
    std::chrono::system_clock::time_point createTime;

    // The simulation side: the real redis-server behind host:port. Zero or empty until READY.
    std::uint16_t loopbackPort = 0; ///< the server listens on 127.0.0.1:loopbackPort
    int serverPid = 0;
    std::string serverLogPath;
    std::string serverVersion; ///< what INFO says, e.g. "7.0.15" (D15: the card shows it)

    /// "projects/P/locations/R/instances/NAME"
    std::string resourceName() const;
};

/// `gcloud redis instances create NAME --region=R [--zone=Z] [--size=N] [--redis-version=V]
/// [--tier=T] [--network=NET] [--reserved-ip-range=CIDR]`, with the flags as typed.
struct CreateInstanceRequest
{
    std::string name;
    std::string region;
    std::string zone;            ///< empty: the service picks "<region>-b"
    int sizeGb = 1;              ///< --size
    std::string redisVersion;    ///< as typed, e.g. "redis_4_0"; empty: REDIS_7_0
    std::string tier;            ///< "basic" (default) or "standard"
    std::string network;         ///< empty: "default"
    std::string reservedIpRange; ///< empty: derived from the project, region and name
};

/// A finished long-running operation and the instance it acted on.
struct InstanceOperation
{
    std::string operationName; ///< projects/P/locations/R/operations/operation-…
    Instance instance;
};

/// What a gcloud command prints: `out` to stdout, `err` to stderr, and its exit status.
struct GcloudOutput
{
    std::string out;
    std::string err;
    int exitCode = 0;
};

enum class InstanceChange {
    Created, ///< the instance exists, state CREATING; its server is starting
    Ready,   ///< its server answered PING; loopbackPort is set
    Deleted, ///< it is gone, and so is its server (also when a start failed)
};

/// Learns of instance changes, e.g. the address map (host:6379 -> 127.0.0.1:loopbackPort) and
/// the UI's instance card. Called on the thread that made the change, with no lock held; it
/// may call Memorystore's const functions, but must not add or remove observers.
class MemorystoreObserver
{
public:
    virtual ~MemorystoreObserver() = default;
    virtual void onInstanceChanged(InstanceChange change, const Instance &instance) = 0;
};

/// The simulated project: its account, ids, clock and randomness.
struct MemorystoreConfig
{
    std::string project = "meshcraft-lab";      ///< P
    std::string projectNumber = "318472609151"; ///< N
    std::string account = "learner@example.com";
    /// The time stamped on createTime and operation names; system time if unset. Tests inject
    /// a fixed clock so every output is deterministic.
    std::function<std::chrono::system_clock::time_point()> clock;
    /// Seeds the operation ids, so a session replays identically.
    std::uint64_t seed = 0x6d65736863726166ULL;
    RedisLaunchOptions launch;
    /// Instance name -> the range to reserve when `--reserved-ip-range` is not given, so a lab
    /// gets the same addresses on every machine (the workshop's 10.59.118.56/29).
    std::map<std::string, std::string> defaultReservedRanges;
};

/// The state of one simulated GCP project: the enabled services and the Memorystore instances,
/// each served by a real redis-server on loopback. Every error message is the text gcloud
/// prints to stderr, `ERROR: (gcloud.…) …` included; see renderError().
///
/// Thread-safe. createInstance() blocks until the server answers PING (milliseconds), so call
/// it off the UI thread. The destructor stops every server.
class Memorystore
{
public:
    explicit Memorystore(MemorystoreConfig config = {});
    ~Memorystore();
    Memorystore(const Memorystore &) = delete;
    Memorystore &operator=(const Memorystore &) = delete;

    const std::string &project() const;
    const std::string &projectNumber() const;

    // `gcloud services enable SERVICE`
    /// Enables a service. Returns what gcloud prints: the operation line, or nothing when the
    /// service was already enabled.
    common::Result<GcloudOutput> enableService(std::string_view service);
    bool isServiceEnabled(std::string_view service) const;
    std::vector<std::string> enabledServices() const;

    // `gcloud redis instances …`
    /// Validates, starts the server and waits for it: the instance is READY on success.
    /// Errors, in gcloud's order: InvalidChoice (exit 2), MissingRegion, ApiNotEnabled,
    /// InvalidArgument, AlreadyExists; then RedisNotInstalled, RedisStartFailed or
    /// RedisNotReady from the server, after which the instance is gone again.
    common::Result<InstanceOperation> createInstance(const CreateInstanceRequest &request);
    common::Result<Instance> describeInstance(std::string_view name, std::string_view region) const;
    /// The instances in `region` ("-" for every region, as the API allows), sorted by name.
    common::Result<std::vector<Instance>> listInstances(std::string_view region) const;
    /// Stops the server and forgets the instance.
    common::Result<InstanceOperation> deleteInstance(std::string_view name,
                                                     std::string_view region);

    /// Every instance of every region, whatever the API state: for the UI.
    std::vector<Instance> allInstances() const;
    /// For the address map: the real loopback port behind a READY instance's host:port.
    std::optional<std::uint16_t> loopbackPortFor(std::string_view host, std::uint16_t port) const;

    /// The observer must outlive its registration.
    void addObserver(MemorystoreObserver *observer);
    void removeObserver(MemorystoreObserver *observer);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

/// The gcloud exit status of an error: 2 for an argument error, 1 for the rest.
int gcloudExitCode(const common::Error &error);

/// A failed command: the error's text on stderr, and its exit status.
GcloudOutput renderError(const common::Error &error);
/// `create`'s three lines on stderr (tool-outputs.md §1.2); nothing on stdout.
GcloudOutput renderCreate(const InstanceOperation &operation);
/// `delete`'s three lines on stderr, as create's.
GcloudOutput renderDelete(const InstanceOperation &operation);
/// `describe`: YAML with the keys sorted, on stdout (§1.3).
GcloudOutput renderDescribe(const Instance &instance);
/// `list`: the table on stdout, or `Listed 0 items.` on stderr when empty (§1.4).
GcloudOutput renderList(const std::vector<Instance> &instances);

} // namespace meshcraft::core::cloud
