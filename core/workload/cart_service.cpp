// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/workload/cart_service.h"

#include "core/probe/pod_dialer.h"
#include "core/probe/redis_client.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace meshcraft::core::workload {

using Clock = std::chrono::steady_clock;

std::string RedisAddress::toString() const
{
    return host + ':' + std::to_string(port);
}

std::optional<RedisAddress> RedisAddress::parse(std::string_view redisAddr)
{
    RedisAddress address;
    const auto colon = redisAddr.rfind(':');
    address.host = std::string(redisAddr.substr(0, colon));
    if (colon != std::string_view::npos) {
        const std::string_view port = redisAddr.substr(colon + 1);
        unsigned value = 0;
        const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535) {
            return std::nullopt;
        }
        address.port = static_cast<std::uint16_t>(value);
    }
    if (address.host.empty()) {
        return std::nullopt;
    }
    return address;
}

class CartService::Impl
{
public:
    Impl(std::shared_ptr<const net::AddressMap> addressMap, xds::Ipv4 podIp, xds::Resolver resolver,
         std::string redisAddr, CartServiceOptions options)
        : m_dialer(std::move(addressMap), podIp, std::move(resolver)), m_options(options),
          m_target(std::move(redisAddr)), m_interval(options.interval)
    {
        m_stats.target = m_target;
    }

    ~Impl() { stop(); }

    void setObserver(std::shared_ptr<CartServiceObserver> observer)
    {
        std::lock_guard lock(m_mutex);
        m_observer = std::move(observer);
    }

    void start()
    {
        std::lock_guard lock(m_mutex);
        if (m_thread.joinable() || m_stopping) {
            return;
        }
        m_thread = std::thread([this] { run(); });
    }

    void stop()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        m_wake.notify_all();
        if (m_thread.joinable() && m_thread.get_id() != std::this_thread::get_id()) {
            m_thread.join();
        }
    }

    void setTarget(std::string redisAddr)
    {
        {
            std::lock_guard lock(m_mutex);
            if (redisAddr == m_target) {
                return;
            }
            m_target = std::move(redisAddr);
            m_stats.target = m_target;
            m_targetChanged = true;
        }
        m_wake.notify_all();
    }

    void setInterval(std::chrono::milliseconds interval)
    {
        {
            std::lock_guard lock(m_mutex);
            m_interval = interval;
        }
        m_wake.notify_all();
    }

    CartStats stats() const
    {
        std::lock_guard lock(m_mutex);
        return m_stats;
    }

private:
    /// What one cart operation does, in turn: add an item, read the cart, and every tenth
    /// time empty it (a checkout).
    std::vector<std::vector<std::string>> nextOperation(std::uint64_t n) const
    {
        const std::string user = std::string(CartKeyPrefix) + "user-" +
                                 std::to_string(n % std::max(1U, m_options.users));
        static constexpr const char *Products[] = {"OLJCESPC7Z", "66VCHSJNUP", "1YMWWN1N4O",
                                                   "L9ECAV7KIM", "2ZYFJ3GM2N", "0PUK6V6EV0"};
        const std::string product = Products[n % std::size(Products)];
        switch (n % 10) {
        case 9:
            return {{"DEL", user}};
        case 1:
        case 4:
        case 7:
            return {{"HGETALL", user}};
        default:
            return {{"HGET", user, product}};
        }
    }

    /// Sleeps until `deadline`, stop() or a target change; false when stopping.
    bool sleepUntil(Clock::time_point deadline)
    {
        std::unique_lock lock(m_mutex);
        m_wake.wait_until(lock, deadline, [this] { return m_stopping || m_targetChanged; });
        return !m_stopping;
    }

    void report(bool force)
    {
        const auto now = Clock::now();
        if (!force && now - m_lastReport < m_options.reportInterval) {
            return;
        }
        m_lastReport = now;
        std::shared_ptr<CartServiceObserver> observer;
        CartStats copy;
        {
            std::lock_guard lock(m_mutex);
            observer = m_observer;
            copy = m_stats;
        }
        if (observer) {
            observer->onCartStats(copy);
        }
    }

    void recordFailure(const std::string &error)
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.failures;
        m_stats.lastError = error;
    }

    void drop()
    {
        m_client.reset();
        std::lock_guard lock(m_mutex);
        m_stats.connected = false;
    }

    /// Opens a connection to the current target; false (a failure recorded) if it cannot.
    bool connect(const std::string &target)
    {
        const auto address = RedisAddress::parse(target);
        if (!address) {
            recordFailure("invalid REDIS_ADDR '" + target + "'");
            return false;
        }
        const auto ip = m_dialer.resolve(address->host);
        if (!ip) {
            recordFailure("bad address '" + address->host + "'");
            return false;
        }
        auto captured = m_dialer.dial({*ip, address->port}, m_options.connectTimeout);
        if (!captured) {
            recordFailure(captured.error().message);
            return false;
        }
        auto client = probe::RedisClient::adopt(captured->fd, m_options.commandTimeout);
        if (!client) {
            recordFailure(client.error().message);
            return false;
        }
        m_client.emplace(std::move(*client));
        std::lock_guard lock(m_mutex);
        ++m_stats.connects;
        m_stats.connected = true;
        return true;
    }

    /// One cart operation; false on a transport error (the connection is then dropped).
    bool operate(std::uint64_t n)
    {
        auto commands = nextOperation(n);
        auto replies = m_client->pipeline(commands);
        if (!replies) {
            recordFailure(replies.error().message);
            drop();
            return false;
        }
        const auto rejected = std::find_if(replies->begin(), replies->end(),
                                           [](const auto &r) { return r.isError(); });
        if (rejected != replies->end()) {
            recordFailure(rejected->str); // the command was refused; the connection is fine
            return true;
        }
        // Adding an item: the quantity read above goes up by one.
        if (commands.front().front() == "HGET") {
            const auto &current = replies->front();
            long long quantity = 0;
            if (current.type == probe::RedisReply::Type::String) {
                std::from_chars(current.str.data(), current.str.data() + current.str.size(),
                                quantity);
            }
            const auto &cmd = commands.front();
            auto set = m_client->command({"HSET", cmd[1], cmd[2], std::to_string(quantity + 1)});
            if (!set) {
                recordFailure(set.error().message);
                drop();
                return false;
            }
            if (set->isError()) {
                recordFailure(set->str);
                return true;
            }
        }
        std::lock_guard lock(m_mutex);
        ++m_stats.successes;
        return true;
    }

    void run()
    {
        std::uint64_t n = 0;
        auto backoff = m_options.backoffInitial;
        auto next = Clock::now();
        report(true);
        for (;;) {
            if (!sleepUntil(next)) {
                break;
            }
            std::string target;
            std::chrono::milliseconds interval{};
            {
                std::lock_guard lock(m_mutex);
                if (m_targetChanged) {
                    m_targetChanged = false;
                    backoff = m_options.backoffInitial;
                    m_client.reset();
                    m_stats.connected = false;
                }
                target = m_target;
                interval = m_interval;
            }
            const bool ok = (m_client || connect(target)) && operate(n++);
            if (ok) {
                backoff = m_options.backoffInitial;
                next = Clock::now() + interval;
            } else {
                next = Clock::now() + backoff;
                backoff = std::min(backoff * 2, m_options.backoffMax);
            }
            report(false);
        }
        drop();
        report(true);
    }

    probe::PodDialer m_dialer;
    const CartServiceOptions m_options;
    std::optional<probe::RedisClient> m_client; ///< worker thread only
    Clock::time_point m_lastReport{};           ///< worker thread only

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::shared_ptr<CartServiceObserver> m_observer;
    std::string m_target;
    std::chrono::milliseconds m_interval;
    bool m_targetChanged = false;
    bool m_stopping = false;
    CartStats m_stats;
    std::thread m_thread;
};

CartService::CartService(std::shared_ptr<const net::AddressMap> addressMap, xds::Ipv4 podIp,
                         xds::Resolver resolver, std::string redisAddr, CartServiceOptions options)
    : d(std::make_unique<Impl>(std::move(addressMap), podIp, std::move(resolver),
                               std::move(redisAddr), options))
{
}

CartService::~CartService() = default;

void CartService::setObserver(std::shared_ptr<CartServiceObserver> observer)
{
    d->setObserver(std::move(observer));
}

void CartService::start()
{
    d->start();
}

void CartService::stop()
{
    d->stop();
}

void CartService::setTarget(std::string redisAddr)
{
    d->setTarget(std::move(redisAddr));
}

void CartService::setInterval(std::chrono::milliseconds interval)
{
    d->setInterval(interval);
}

CartStats CartService::stats() const
{
    return d->stats();
}

} // namespace meshcraft::core::workload
