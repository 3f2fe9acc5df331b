// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/cloud/memorystore.h"

#include "core/common/text.h"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <tuple>

namespace meshcraft::core::cloud {

namespace {

constexpr int MinSizeGb = 1;
constexpr int MaxSizeGb = 300;
constexpr std::size_t MaxNameLength = 40;
constexpr int HostOffsetInRange = 3; // Memorystore gives the /29's base + 3 to the server

const char *const DefaultRedisVersion = "REDIS_7_0"; // what the local server really is (D15)

// --redis-version's choices, as current gcloud lists them (surface/redis/instances/create.yaml).
constexpr std::array<const char *, 6> RedisVersionChoices = {"redis_3_2", "redis_4_0", "redis_5_0",
                                                             "redis_6_x", "redis_7_0", "redis_7_2"};
constexpr std::array<const char *, 2> TierChoices = {"basic", "standard"};

constexpr const char *CreateCommand = "gcloud.redis.instances.create";
constexpr const char *DescribeCommand = "gcloud.redis.instances.describe";
constexpr const char *ListCommand = "gcloud.redis.instances.list";
constexpr const char *DeleteCommand = "gcloud.redis.instances.delete";
constexpr const char *EnableCommand = "gcloud.services.enable";

std::string errorLine(const char *command, std::string_view text)
{
    return "ERROR: (" + std::string(command) + ") " + std::string(text);
}

// --- difflib, as gcloud's TextChoiceSuggester uses it --------------------------------------

/// Python's SequenceMatcher(None, a, b).ratio() for short strings (no autojunk below 200
/// characters): the matched characters of the recursive longest-match split, 2*M/T.
std::size_t matchedCharacters(std::string_view a, std::string_view b)
{
    if (a.empty() || b.empty()) {
        return 0;
    }
    std::size_t bestA = 0;
    std::size_t bestB = 0;
    std::size_t bestSize = 0;
    // The longest block; ties go to the earliest in a, then the earliest in b, as difflib's.
    for (std::size_t i = 0; i < a.size(); ++i) {
        for (std::size_t j = 0; j < b.size(); ++j) {
            std::size_t k = 0;
            while (i + k < a.size() && j + k < b.size() && a[i + k] == b[j + k]) {
                ++k;
            }
            if (k > bestSize) {
                bestA = i;
                bestB = j;
                bestSize = k;
            }
        }
    }
    if (bestSize == 0) {
        return 0;
    }
    return bestSize + matchedCharacters(a.substr(0, bestA), b.substr(0, bestB)) +
           matchedCharacters(a.substr(bestA + bestSize), b.substr(bestB + bestSize));
}

double similarity(std::string_view a, std::string_view b)
{
    const std::size_t total = a.size() + b.size();
    return total == 0
               ? 1.0
               : 2.0 * static_cast<double>(matchedCharacters(a, b)) / static_cast<double>(total);
}

/// difflib.get_close_matches(value, choices, n=1, cutoff=0.6): the best ratio wins, and a tie
/// goes to the greater string, as Python's nlargest over (ratio, choice) tuples does.
std::optional<std::string> closeMatch(std::string_view value, const auto &choices)
{
    std::optional<std::string> best;
    double bestScore = 0.0;
    for (const char *choice : choices) {
        const double score = similarity(choice, value);
        if (score < 0.6) {
            continue;
        }
        if (!best || score > bestScore || (score == bestScore && std::string(choice) > *best)) {
            best = choice;
            bestScore = score;
        }
    }
    return best;
}

/// Checks a flag value against its choices as gcloud's argparse does; the choice as typed
/// (lower case) on success, else the argparse error (exit status 2).
common::Result<std::string> checkChoice(const char *flag, std::string_view value,
                                        const auto &choices)
{
    // gcloud's choice flags take the enum's name in either case (redis_4_0 or REDIS_4_0).
    const std::string lowered = common::toLower(value);
    for (const char *choice : choices) {
        if (lowered == choice) {
            return lowered;
        }
    }
    std::string message =
        "argument " + std::string(flag) + ": Invalid choice: '" + std::string(value) + "'.";
    if (const auto suggestion = closeMatch(lowered, choices)) {
        message += " Did you mean '" + *suggestion + "'?";
        // TODO(cloud): gcloud prints the command's full usage after this line; only its first
        // line is known for sure (tool-outputs.md §1.2, unverified).
        message += "\nUsage: gcloud redis instances create (INSTANCE : --region=REGION) "
                   "[optional flags]";
    } else {
        std::vector<std::string> names(choices.begin(), choices.end());
        message += "\n\nValid choices are [" + common::join(names, ", ") + "].";
    }
    return common::fail(errors::InvalidChoice, errorLine(CreateCommand, message));
}

// --- addresses --------------------------------------------------------------------------

std::string formatIpv4(std::uint32_t address)
{
    return std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 0xff) + "." +
           std::to_string((address >> 8) & 0xff) + "." + std::to_string(address & 0xff);
}

std::optional<std::uint32_t> parseIpv4(const std::string &text)
{
    in_addr address{};
    if (::inet_pton(AF_INET, text.c_str(), &address) != 1) {
        return std::nullopt;
    }
    return ntohl(address.s_addr);
}

/// The base of a "a.b.c.d/29" range, if it is one and is aligned.
std::optional<std::uint32_t> parseRange29(const std::string &cidr)
{
    const auto slash = cidr.find('/');
    if (slash == std::string::npos || cidr.substr(slash + 1) != "29") {
        return std::nullopt;
    }
    const auto base = parseIpv4(cidr.substr(0, slash));
    if (!base || (*base & 7U) != 0) {
        return std::nullopt;
    }
    return base;
}

std::uint64_t fnv1a(std::string_view text)
{
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

/// A /29 in 10.0.0.0/8 derived from the instance's project, region and name, so the same lab
/// always gets the same address. The second octet stays at 32 or above, clear of the cluster's
/// pod (10.8.0.0/14) and service (10.11.240.0/20) ranges.
std::uint32_t derivedRangeBase(std::string_view key, std::uint64_t salt)
{
    const std::uint64_t hash = fnv1a(std::string(key) + "#" + std::to_string(salt));
    const auto second = static_cast<std::uint32_t>(32 + (hash % 224));
    const auto third = static_cast<std::uint32_t>((hash >> 16) & 0xff);
    const auto fourth = static_cast<std::uint32_t>(((hash >> 24) % 32) * 8);
    return (10U << 24) | (second << 16) | (third << 8) | fourth;
}

// --- time -------------------------------------------------------------------------------

std::string formatUtc(std::chrono::system_clock::time_point time, bool withNanoseconds)
{
    const auto seconds = std::chrono::floor<std::chrono::seconds>(time);
    const std::time_t epoch = std::chrono::system_clock::to_time_t(seconds);
    std::tm parts{};
    ::gmtime_r(&epoch, &parts);
    std::array<char, 32> text{};
    std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%S", &parts);
    std::string result(text.data());
    if (withNanoseconds) {
        const auto nanos =
            std::chrono::duration_cast<std::chrono::nanoseconds>(time - seconds).count();
        std::array<char, 16> fraction{};
        std::snprintf(fraction.data(), fraction.size(), ".%09lldZ", static_cast<long long>(nanos));
        result += fraction.data();
    }
    return result;
}

std::string hex(std::uint64_t value, int digits)
{
    std::string text(static_cast<std::size_t>(digits), '0');
    for (int i = digits - 1; i >= 0; --i) {
        text[static_cast<std::size_t>(i)] = "0123456789abcdef"[value & 0xf];
        value >>= 4;
    }
    return text;
}

bool isValidInstanceId(std::string_view name)
{
    // Memorystore's rule: 1 to 40 of [a-z0-9-], starting with a letter, not ending with '-'.
    if (name.empty() || name.size() > MaxNameLength || name.front() < 'a' || name.front() > 'z' ||
        name.back() == '-') {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

std::string instanceKey(std::string_view region, std::string_view name)
{
    return std::string(region) + "/" + std::string(name);
}

/// The operation lines of create and delete (yaml_command_translator.py's wording).
GcloudOutput renderOperation(const InstanceOperation &operation, const char *verb,
                             const char *pastTense)
{
    GcloudOutput output;
    output.err = std::string(verb) + " request issued for: [" + operation.instance.name + "]\n" +
                 "Waiting for operation [" + operation.operationName + "] to complete...done.\n" +
                 pastTense + " instance [" + operation.instance.name + "].\n";
    return output;
}

struct Entry
{
    Instance instance;
    std::unique_ptr<RedisProcess> process;
};

} // namespace

// -------------------------------------------------------------------------------------------------

const char *instanceStateName(InstanceState state)
{
    switch (state) {
    case InstanceState::Creating:
        return "CREATING";
    case InstanceState::Ready:
        return "READY";
    case InstanceState::Deleting:
        return "DELETING";
    }
    return "STATE_UNSPECIFIED";
}

std::string Instance::resourceName() const
{
    return "projects/" + project + "/locations/" + region + "/instances/" + name;
}

struct Memorystore::Private
{
    explicit Private(MemorystoreConfig c) : config(std::move(c)), random(config.seed) {}

    std::chrono::system_clock::time_point now() const
    {
        return config.clock ? config.clock() : std::chrono::system_clock::now();
    }

    /// operation-<epoch ms>-<13 hex>-<8 hex>-<8 hex>, from the seeded generator. Locked.
    std::string nextOperationName(std::string_view region, std::chrono::system_clock::time_point at)
    {
        const auto millis =
            std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
        const std::uint64_t a = random();
        const std::uint64_t b = random();
        return "projects/" + config.project + "/locations/" + std::string(region) +
               "/operations/operation-" + std::to_string(millis) + "-" + hex(a >> 12, 13) + "-" +
               hex(b >> 32, 8) + "-" + hex(b & 0xffffffffULL, 8);
    }

    /// The Service Usage text for a disabled API, as current gcloud prints it (403). Locked.
    common::Error apiNotEnabled(const char *command) const
    {
        const std::string &n = config.projectNumber;
        std::string text =
            "PERMISSION_DENIED: Google Cloud Memorystore for Redis API has not been used in "
            "project " +
            n +
            " before or it is disabled. Enable it by visiting "
            "https://console.developers.google.com/apis/api/redis.googleapis.com/"
            "overview?project=" +
            n +
            " then retry. If you enabled this API recently, wait a few minutes for the action "
            "to propagate to our systems and retry. This command is authenticated as " +
            config.account +
            " which is the active account specified by the [core/account] "
            "property.\n"
            "- '@type': type.googleapis.com/google.rpc.ErrorInfo\n"
            "  domain: googleapis.com\n"
            "  metadata:\n"
            "    consumer: projects/" +
            n +
            "\n"
            "    service: redis.googleapis.com\n"
            "  reason: SERVICE_DISABLED";
        return common::Error{errors::ApiNotEnabled, errorLine(command, text), std::nullopt};
    }

    common::Error resourceError(const char *code, const char *command, const char *status,
                                const std::string &resource, const char *what) const
    {
        const std::string text = std::string(status) + ": Resource '" + resource + "' " + what +
                                 "\n- '@type': type.googleapis.com/google.rpc.ResourceInfo\n"
                                 "  resourceName: " +
                                 resource;
        return common::Error{code, errorLine(command, text), std::nullopt};
    }

    std::string resourceName(std::string_view region, std::string_view name) const
    {
        return "projects/" + config.project + "/locations/" + std::string(region) + "/instances/" +
               std::string(name);
    }

    void notify(InstanceChange change, const Instance &instance)
    {
        std::vector<MemorystoreObserver *> targets;
        {
            std::lock_guard lock(mutex);
            targets = observers;
        }
        for (MemorystoreObserver *observer : targets) {
            observer->onInstanceChanged(change, instance);
        }
    }

    bool rangeTaken(std::uint32_t base) const
    {
        return std::any_of(instances.begin(), instances.end(), [&](const auto &item) {
            return parseRange29(item.second.instance.reservedIpRange) == base;
        });
    }

    MemorystoreConfig config;
    mutable std::mutex mutex;
    std::mt19937_64 random;
    std::set<std::string, std::less<>> services;
    std::map<std::string, Entry, std::less<>> instances;
    std::vector<MemorystoreObserver *> observers;
};

Memorystore::Memorystore(MemorystoreConfig config) : d(std::make_unique<Private>(std::move(config)))
{
}

Memorystore::~Memorystore() = default;

const std::string &Memorystore::project() const
{
    return d->config.project;
}

const std::string &Memorystore::projectNumber() const
{
    return d->config.projectNumber;
}

common::Result<GcloudOutput> Memorystore::enableService(std::string_view service)
{
    std::lock_guard lock(d->mutex);
    if (!common::endsWith(service, ".googleapis.com") || service.size() <= 15) {
        // Service Usage's answer for a name it does not know (unverified wording).
        return common::fail(
            errors::UnknownService,
            errorLine(EnableCommand, "PERMISSION_DENIED: Not found or permission denied for "
                                     "service(s): " +
                                         std::string(service) + "."));
    }
    GcloudOutput output;
    if (d->services.insert(std::string(service)).second) {
        // Current gcloud: one line; nothing at all when the service was already enabled.
        const std::uint64_t a = d->random();
        const std::uint64_t b = d->random();
        const std::string uuid = hex(a >> 32, 8) + "-" + hex((a >> 16) & 0xffff, 4) + "-" +
                                 hex(a & 0xffff, 4) + "-" + hex(b >> 48, 4) + "-" +
                                 hex(b & 0xffffffffffffULL, 12);
        output.err = "Operation \"operations/acf.p2-" + d->config.projectNumber + "-" + uuid +
                     "\" finished successfully.\n";
    }
    return output;
}

bool Memorystore::isServiceEnabled(std::string_view service) const
{
    std::lock_guard lock(d->mutex);
    return d->services.find(service) != d->services.end();
}

std::vector<std::string> Memorystore::enabledServices() const
{
    std::lock_guard lock(d->mutex);
    return {d->services.begin(), d->services.end()};
}

common::Result<InstanceOperation> Memorystore::createInstance(const CreateInstanceRequest &request)
{
    // Argument errors come first, as argparse runs before anything else.
    std::string redisVersion = DefaultRedisVersion;
    if (!request.redisVersion.empty()) {
        auto choice = checkChoice("--redis-version", request.redisVersion, RedisVersionChoices);
        if (!choice) {
            return tl::unexpected(choice.error());
        }
        redisVersion = common::toUpper(*choice);
    }
    std::string tier = "BASIC";
    if (!request.tier.empty()) {
        auto choice = checkChoice("--tier", request.tier, TierChoices);
        if (!choice) {
            return tl::unexpected(choice.error());
        }
        tier = *choice == "standard" ? "STANDARD_HA" : "BASIC";
    }
    if (request.region.empty()) {
        return common::fail(errors::MissingRegion,
                            errorLine(CreateCommand,
                                      "Error parsing [instance].\n"
                                      "The [instance] resource is not properly specified.\n"
                                      "Failed to find attribute [region]. The attribute can be "
                                      "set in the following ways: \n"
                                      "- provide the argument `--region` on the command line\n"
                                      "- set the property `redis/region`"));
    }

    InstanceOperation operation;
    {
        std::lock_guard lock(d->mutex);
        if (d->services.find(RedisApi) == d->services.end()) {
            return tl::unexpected(d->apiNotEnabled(CreateCommand));
        }
        // The API's own checks. Its INVALID_ARGUMENT details are not reproduced (unverified).
        const std::string zone = request.zone.empty() ? request.region + "-b" : request.zone;
        const bool zoneInRegion = common::startsWith(zone, request.region + "-");
        if (!isValidInstanceId(request.name) || request.sizeGb < MinSizeGb ||
            request.sizeGb > MaxSizeGb || !zoneInRegion) {
            return common::fail(
                errors::InvalidArgument,
                errorLine(CreateCommand,
                          "INVALID_ARGUMENT: Request contains an invalid argument."));
        }
        const std::string key = instanceKey(request.region, request.name);
        if (d->instances.find(key) != d->instances.end()) {
            return tl::unexpected(
                d->resourceError(errors::AlreadyExists, CreateCommand, "ALREADY_EXISTS",
                                 d->resourceName(request.region, request.name), "already exists"));
        }
        std::uint32_t base = 0;
        std::string requestedRange = request.reservedIpRange;
        if (const auto preset = d->config.defaultReservedRanges.find(request.name);
            requestedRange.empty() && preset != d->config.defaultReservedRanges.end()) {
            requestedRange = preset->second;
        }
        if (!requestedRange.empty()) {
            const auto parsed = parseRange29(requestedRange);
            if (!parsed || d->rangeTaken(*parsed)) {
                return common::fail(errors::InvalidArgument,
                                    errorLine(CreateCommand, "INVALID_ARGUMENT: Request contains "
                                                             "an invalid argument."));
            }
            base = *parsed;
        } else {
            std::uint64_t salt = 0;
            do {
                base = derivedRangeBase(instanceKey(d->config.project, key), salt++);
            } while (d->rangeTaken(base));
        }

        Instance &instance = operation.instance;
        instance.name = request.name;
        instance.project = d->config.project;
        instance.region = request.region;
        instance.locationId = zone;
        instance.currentLocationId = zone;
        instance.tier = tier;
        instance.memorySizeGb = request.sizeGb;
        instance.redisVersion = redisVersion;
        instance.reservedIpRange = formatIpv4(base) + "/29";
        instance.hostIp = base + HostOffsetInRange;
        instance.host = formatIpv4(instance.hostIp);
        instance.state = InstanceState::Creating;
        instance.authorizedNetwork =
            "projects/" + d->config.project + "/global/networks/" +
            (request.network.empty() ? std::string("default") : request.network);
        instance.connectMode = "DIRECT_PEERING";
        instance.persistenceIamIdentity =
            "serviceAccount:" + d->config.projectNumber + "-compute@developer.gserviceaccount.com";
        instance.createTime = d->now();
        operation.operationName = d->nextOperationName(request.region, instance.createTime);
        d->instances.emplace(key, Entry{instance, nullptr});
    }
    d->notify(InstanceChange::Created, operation.instance);

    // Start the real server with no lock held: it takes milliseconds, and readers go on.
    auto process = RedisProcess::start(d->config.launch);
    const std::string key = instanceKey(request.region, request.name);
    if (!process) {
        {
            std::lock_guard lock(d->mutex);
            d->instances.erase(key);
        }
        d->notify(InstanceChange::Deleted, operation.instance);
        common::Error error = process.error();
        error.message = errorLine(CreateCommand, error.message);
        return tl::unexpected(std::move(error));
    }
    {
        std::lock_guard lock(d->mutex);
        Entry &entry = d->instances.at(key); // a CREATING instance cannot be deleted
        entry.instance.state = InstanceState::Ready;
        entry.instance.loopbackPort = (*process)->port();
        entry.instance.serverPid = (*process)->pid();
        entry.instance.serverLogPath = (*process)->logPath();
        entry.instance.serverVersion = (*process)->serverVersion();
        entry.process = std::move(*process);
        operation.instance = entry.instance;
    }
    d->notify(InstanceChange::Ready, operation.instance);
    return operation;
}

common::Result<Instance> Memorystore::describeInstance(std::string_view name,
                                                       std::string_view region) const
{
    if (region.empty()) {
        return common::fail(errors::MissingRegion,
                            errorLine(DescribeCommand,
                                      "Error parsing [instance].\n"
                                      "The [instance] resource is not properly specified.\n"
                                      "Failed to find attribute [region]. The attribute can be "
                                      "set in the following ways: \n"
                                      "- provide the argument `--region` on the command line\n"
                                      "- set the property `redis/region`"));
    }
    std::lock_guard lock(d->mutex);
    if (d->services.find(RedisApi) == d->services.end()) {
        return tl::unexpected(d->apiNotEnabled(DescribeCommand));
    }
    const auto found = d->instances.find(instanceKey(region, name));
    if (found == d->instances.end()) {
        return tl::unexpected(d->resourceError(errors::NotFound, DescribeCommand, "NOT_FOUND",
                                               d->resourceName(region, name), "was not found"));
    }
    return found->second.instance;
}

common::Result<std::vector<Instance>> Memorystore::listInstances(std::string_view region) const
{
    if (region.empty()) {
        // (unverified) The list command's region is a resource argument of its own.
        return common::fail(errors::MissingRegion,
                            errorLine(ListCommand,
                                      "Error parsing [region].\n"
                                      "The [region] resource is not properly specified.\n"
                                      "Failed to find attribute [region]. The attribute can be "
                                      "set in the following ways: \n"
                                      "- provide the argument `--region` on the command line\n"
                                      "- set the property `redis/region`"));
    }
    std::lock_guard lock(d->mutex);
    if (d->services.find(RedisApi) == d->services.end()) {
        return tl::unexpected(d->apiNotEnabled(ListCommand));
    }
    std::vector<Instance> result;
    for (const auto &[key, entry] : d->instances) {
        if (region == "-" || entry.instance.region == region) { // "-": every region, as the API
            result.push_back(entry.instance);
        }
    }
    std::sort(result.begin(), result.end(), [](const Instance &a, const Instance &b) {
        return std::tie(a.name, a.region) < std::tie(b.name, b.region);
    });
    return result;
}

common::Result<InstanceOperation> Memorystore::deleteInstance(std::string_view name,
                                                              std::string_view region)
{
    if (region.empty()) {
        return common::fail(errors::MissingRegion,
                            errorLine(DeleteCommand,
                                      "Error parsing [instance].\n"
                                      "The [instance] resource is not properly specified.\n"
                                      "Failed to find attribute [region]. The attribute can be "
                                      "set in the following ways: \n"
                                      "- provide the argument `--region` on the command line\n"
                                      "- set the property `redis/region`"));
    }
    InstanceOperation operation;
    std::unique_ptr<RedisProcess> process;
    {
        std::lock_guard lock(d->mutex);
        if (d->services.find(RedisApi) == d->services.end()) {
            return tl::unexpected(d->apiNotEnabled(DeleteCommand));
        }
        const auto found = d->instances.find(instanceKey(region, name));
        if (found == d->instances.end()) {
            return tl::unexpected(d->resourceError(errors::NotFound, DeleteCommand, "NOT_FOUND",
                                                   d->resourceName(region, name), "was not found"));
        }
        if (found->second.instance.state != InstanceState::Ready) {
            // (unverified wording) The API refuses to delete an instance that is still busy.
            return common::fail(errors::FailedPrecondition,
                                errorLine(DeleteCommand,
                                          "FAILED_PRECONDITION: The instance is not ready; try "
                                          "again when its state is READY."));
        }
        operation.instance = found->second.instance;
        operation.instance.state = InstanceState::Deleting;
        process = std::move(found->second.process);
        d->instances.erase(found);
        operation.operationName = d->nextOperationName(region, d->now());
    }
    process.reset(); // stops the server and reaps it, with no lock held
    operation.instance.loopbackPort = 0;
    operation.instance.serverPid = 0;
    d->notify(InstanceChange::Deleted, operation.instance);
    return operation;
}

std::vector<Instance> Memorystore::allInstances() const
{
    std::lock_guard lock(d->mutex);
    std::vector<Instance> result;
    for (const auto &[key, entry] : d->instances) {
        result.push_back(entry.instance);
    }
    return result;
}

std::optional<std::uint16_t> Memorystore::loopbackPortFor(std::string_view host,
                                                          std::uint16_t port) const
{
    std::lock_guard lock(d->mutex);
    for (const auto &[key, entry] : d->instances) {
        const Instance &instance = entry.instance;
        if (instance.state == InstanceState::Ready && instance.host == host &&
            instance.port == port) {
            return instance.loopbackPort;
        }
    }
    return std::nullopt;
}

void Memorystore::addObserver(MemorystoreObserver *observer)
{
    std::lock_guard lock(d->mutex);
    if (std::find(d->observers.begin(), d->observers.end(), observer) == d->observers.end()) {
        d->observers.push_back(observer);
    }
}

void Memorystore::removeObserver(MemorystoreObserver *observer)
{
    std::lock_guard lock(d->mutex);
    d->observers.erase(std::remove(d->observers.begin(), d->observers.end(), observer),
                       d->observers.end());
}

// --- rendering ---------------------------------------------------------------------------

int gcloudExitCode(const common::Error &error)
{
    return error.code == errors::InvalidChoice ? 2 : 1;
}

GcloudOutput renderError(const common::Error &error)
{
    GcloudOutput output;
    output.err = error.message + "\n";
    output.exitCode = gcloudExitCode(error);
    return output;
}

GcloudOutput renderCreate(const InstanceOperation &operation)
{
    return renderOperation(operation, "Create", "Created");
}

GcloudOutput renderDelete(const InstanceOperation &operation)
{
    return renderOperation(operation, "Delete", "Deleted");
}

GcloudOutput renderDescribe(const Instance &instance)
{
    // gcloud's default YAML: keys sorted; the timestamp quoted, as it is a string that would
    // otherwise read as a YAML timestamp. The server's real version (D15) is not a field.
    GcloudOutput output;
    std::string &out = output.out;
    out += "authorizedNetwork: " + instance.authorizedNetwork + "\n";
    out += "connectMode: " + instance.connectMode + "\n";
    out += "createTime: '" + formatUtc(instance.createTime, true) + "'\n";
    out += "currentLocationId: " + instance.currentLocationId + "\n";
    out += "host: " + instance.host + "\n";
    out += "locationId: " + instance.locationId + "\n";
    out += "memorySizeGb: " + std::to_string(instance.memorySizeGb) + "\n";
    out += "name: " + instance.resourceName() + "\n";
    out += "persistenceIamIdentity: " + instance.persistenceIamIdentity + "\n";
    out += "port: " + std::to_string(instance.port) + "\n";
    out += "redisVersion: " + instance.redisVersion + "\n";
    out += "reservedIpRange: " + instance.reservedIpRange + "\n";
    out += std::string("state: ") + instanceStateName(instance.state) + "\n";
    out += "tier: " + instance.tier + "\n";
    return output;
}

GcloudOutput renderList(const std::vector<Instance> &instances)
{
    GcloudOutput output;
    if (instances.empty()) {
        output.err = "Listed 0 items.\n";
        return output;
    }
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"INSTANCE_NAME", "REGION", "TIER", "SIZE_GB", "HOST", "PORT", "NETWORK",
                    "RESERVED_IP", "STATUS", "CREATE_TIME"});
    for (const Instance &instance : instances) {
        const auto slash = instance.authorizedNetwork.rfind('/');
        rows.push_back(
            {instance.name, instance.region, instance.tier, std::to_string(instance.memorySizeGb),
             instance.host, std::to_string(instance.port),
             instance.authorizedNetwork.substr(slash == std::string::npos ? 0 : slash + 1),
             instance.reservedIpRange, instanceStateName(instance.state),
             formatUtc(instance.createTime, false)});
    }
    std::vector<std::size_t> widths(rows.front().size(), 0);
    for (const auto &row : rows) {
        for (std::size_t column = 0; column < row.size(); ++column) {
            widths[column] = std::max(widths[column], row[column].size());
        }
    }
    // gcloud's table: two spaces between columns, the last one not padded.
    for (const auto &row : rows) {
        std::string line;
        for (std::size_t column = 0; column < row.size(); ++column) {
            line += row[column];
            if (column + 1 < row.size()) {
                line += std::string(widths[column] - row[column].size() + 2, ' ');
            }
        }
        output.out += line + "\n";
    }
    return output;
}

} // namespace meshcraft::core::cloud
