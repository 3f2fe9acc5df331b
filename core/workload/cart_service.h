// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/mesh/address_map.h"
#include "core/xds/match.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace meshcraft::core::workload {

/// The prefix of every key the cart writes ("cart:user-3"), one hash per shopper.
inline constexpr std::string_view CartKeyPrefix = "cart:";

/// Where the cart keeps its carts: REDIS_ADDR from cartservice's Deployment ("redis-cart:6379",
/// or "10.59.118.59:6379" after step 5). A bare host means port 6379.
struct RedisAddress
{
    std::string host;
    std::uint16_t port = 6379;

    std::string toString() const; ///< "redis-cart:6379"
    /// nullopt for an empty host or a port that is not 1-65535.
    static std::optional<RedisAddress> parse(std::string_view redisAddr);
    bool operator==(const RedisAddress &) const = default;
};

/// The cart service's counters, as the UI and the checks see them.
struct CartStats
{
    std::uint64_t successes = 0; ///< cart operations that completed
    std::uint64_t failures = 0;  ///< operations or connects that failed
    std::uint64_t connects = 0;  ///< connections opened (through the sidecar they always open)
    std::string lastError;       ///< e.g. "Server closed the connection"; empty before any
    std::string target;          ///< REDIS_ADDR in use, e.g. "redis-cart:6379"
    bool connected = false;      ///< a connection is open now
    bool operator==(const CartStats &) const = default;
};

/// Receives the cart service's stats on its worker thread, at most every reportInterval.
/// Implementations copy and return (hand over to the UI with a queued call).
class CartServiceObserver
{
public:
    virtual ~CartServiceObserver() = default;
    virtual void onCartStats(const CartStats &stats) = 0;
};

struct CartServiceOptions
{
    /// Pause between two cart operations (the default is a few per second).
    std::chrono::milliseconds interval{300};
    /// At most one stats report per this.
    std::chrono::milliseconds reportInterval{250};
    std::chrono::milliseconds connectTimeout{10'000};
    std::chrono::milliseconds commandTimeout{3'000};
    /// Reconnect backoff after a failure: doubles from `backoffInitial` up to `backoffMax`.
    std::chrono::milliseconds backoffInitial{200};
    std::chrono::milliseconds backoffMax{5'000};
    /// How many shoppers' carts it cycles through.
    unsigned users = 3;
};

/// Online Boutique's cartservice as a real Redis client running in the cartservice pod: it
/// connects as the pod (so through its sidecar) to REDIS_ADDR and does what the cart does:
/// a hash per user ("cart:<user>", product id -> quantity), adding items (HGET then HSET),
/// reading the cart (HGETALL) and now and then emptying it (DEL).
///
/// Errors (style-guide 4): a transport error (hiredis NULL reply: the peer closed or reset)
/// drops the connection and reconnects with backoff; a rejected command (an error reply) is
/// counted and the connection kept.
///
/// Threading: one worker thread of its own, started by start() and joined by stop() or the
/// destructor. The other methods are thread-safe and do not block on the network.
class CartService
{
public:
    /// `podIp` is the cartservice pod's; `resolver` is its DNS (D8); `redisAddr` is the
    /// Deployment's REDIS_ADDR. An unparsable address is kept and reported as the last error.
    CartService(std::shared_ptr<const net::AddressMap> addressMap, xds::Ipv4 podIp,
                xds::Resolver resolver, std::string redisAddr, CartServiceOptions options = {});
    ~CartService();
    CartService(const CartService &) = delete;
    CartService &operator=(const CartService &) = delete;

    /// Who gets the stats reports; kept until replaced or the service is destroyed.
    void setObserver(std::shared_ptr<CartServiceObserver> observer);
    void start();
    /// Stops the worker and joins it (closing the connection). Idempotent.
    void stop();

    /// The Deployment's env changed (step 5): the next operation uses the new address, over a
    /// new connection.
    void setTarget(std::string redisAddr);
    /// Operations per second, as a pause between operations.
    void setInterval(std::chrono::milliseconds interval);
    CartStats stats() const;

private:
    class Impl;
    std::unique_ptr<Impl> d;
};

} // namespace meshcraft::core::workload
