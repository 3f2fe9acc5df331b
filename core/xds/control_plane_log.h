// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace meshcraft::core::xds {

enum class LogLevel { Debug, Info, Warn, Error };
const char *logLevelName(LogLevel level); ///< "debug", "info", "warn", "error"

/// One line of istio-pilot's (istiod's) log.
struct LogLine
{
    std::chrono::system_clock::time_point time;
    LogLevel level = LogLevel::Info;
    std::string scope; ///< "ads"; empty for the default scope, which has no column
    std::string message;

    /// `<RFC3339 with µs>Z\t<level>\t[<scope>\t]<msg>` (tool-outputs.md 6.1).
    std::string toString() const;
};

/// "2019-09-23T10:31:02.519343Z"
std::string formatRfc3339Micros(std::chrono::system_clock::time_point time);
/// "2019-09-23T10:31:02Z"
std::string formatRfc3339Seconds(std::chrono::system_clock::time_point time);
/// Go's time.Duration.String(): "100ms", "100.2ms", "1.5s", "2m3s", "0s", "12µs".
std::string formatGoDuration(std::chrono::nanoseconds duration);

/// The control plane's log, what `kubectl logs istio-pilot` would show. Bounded: the oldest
/// lines go first. The clock is injectable so tests get fixed timestamps.
class ControlPlaneLog
{
public:
    using Clock = std::function<std::chrono::system_clock::time_point()>;

    explicit ControlPlaneLog(Clock clock = {}, std::size_t capacity = 10'000);

    void setClock(Clock clock);
    std::chrono::system_clock::time_point now() const;

    void write(LogLevel level, std::string scope, std::string message);
    const std::deque<LogLine> &lines() const { return m_lines; }
    /// Every line's toString(), each followed by a newline.
    std::string text() const;
    /// Every line ever written, dropped ones included (for incremental readers).
    std::size_t totalWritten() const { return m_total; }
    void clear();

private:
    Clock m_clock;
    std::size_t m_capacity;
    std::size_t m_total = 0;
    std::deque<LogLine> m_lines;
};

} // namespace meshcraft::core::xds
