// SPDX-License-Identifier: GPL-3.0-or-later
// Jump to step N of the Egress Gateway lab: a fresh World (Istio release, objects, relay,
// redis-servers) with the solutions of steps 1..N-1 replayed through the terminal. Prints the
// median and the range of several runs per step (RESULTS-lab.md).
#include "core/lab/session.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <vector>

using namespace meshcraft::core::lab;

namespace {

class Waiter : public SessionObserver
{
public:
    void onSessionEvents(const std::vector<Event> &batch) override
    {
        const std::lock_guard lock(m_mutex);
        for (const Event &event : batch) {
            if (const auto *rebuilt = std::get_if<events::WorldRebuilt>(&event.payload)) {
                m_rebuilt.push_back(*rebuilt);
            }
            m_opened = m_opened || std::holds_alternative<events::LabOpened>(event.payload);
        }
        m_changed.notify_all();
    }

    bool waitOpened()
    {
        std::unique_lock lock(m_mutex);
        return m_changed.wait_for(lock, std::chrono::seconds(60), [&] { return m_opened; });
    }

    /// Waits for the next rebuild; its duration as the session measured it.
    std::chrono::milliseconds waitRebuilt(std::size_t count)
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait_for(lock, std::chrono::seconds(60),
                           [&] { return m_rebuilt.size() > count; });
        return m_rebuilt.size() > count ? m_rebuilt[count].took : std::chrono::milliseconds(-1);
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<events::WorldRebuilt> m_rebuilt;
    bool m_opened = false;
};

} // namespace

int main(int argc, char **argv)
{
    const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
    SessionOptions options;
    options.persist = false;
    options.fixedClock = true;
    Waiter waiter;
    Session session(options);
    session.setObserver(&waiter);
    session.open(LABS_SOURCE_DIR "/egress-gateway");
    if (!waiter.waitOpened()) {
        std::fprintf(stderr, "the lab did not open\n");
        return 1;
    }
    std::size_t rebuilds = 1; // the open itself
    std::printf("jump to step | median ms | min ms | max ms | runs\n");
    std::printf("---|---|---|---|---\n");
    for (const int step : {4, 7, 11}) {
        std::vector<long long> times;
        for (int i = 0; i < runs; ++i) {
            const auto started = std::chrono::steady_clock::now();
            session.jumpToStep(step);
            const auto took = waiter.waitRebuilt(rebuilds++);
            const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - started);
            if (took.count() < 0) {
                std::fprintf(stderr, "jump to %d did not finish\n", step);
                return 1;
            }
            times.push_back(wall.count());
        }
        std::sort(times.begin(), times.end());
        std::printf("%d | %lld | %lld | %lld | %d\n", step, times[times.size() / 2], times.front(),
                    times.back(), runs);
    }
    return 0;
}
