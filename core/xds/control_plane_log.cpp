// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/xds/control_plane_log.h"

#include <cstdio>
#include <ctime>

namespace meshcraft::core::xds {

namespace {

std::tm utc(std::chrono::system_clock::time_point time, long long &micros)
{
    const auto sinceEpoch =
        std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
    long long seconds = sinceEpoch / 1'000'000;
    micros = sinceEpoch % 1'000'000;
    if (micros < 0) {
        micros += 1'000'000;
        --seconds;
    }
    const auto value = static_cast<std::time_t>(seconds);
    std::tm out{};
    gmtime_r(&value, &out);
    return out;
}

std::string dateTime(const std::tm &tm)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buffer;
}

// Go prints a fraction without trailing zeros: 100.200ms -> "100.2ms".
std::string withFraction(long long whole, long long fraction, int digits, const char *unit)
{
    std::string out = std::to_string(whole);
    if (fraction != 0) {
        std::string text = std::to_string(fraction);
        text.insert(0, static_cast<std::size_t>(digits) - text.size(), '0');
        while (!text.empty() && text.back() == '0') {
            text.pop_back();
        }
        out += '.' + text;
    }
    return out + unit;
}

} // namespace

const char *logLevelName(LogLevel level)
{
    switch (level) {
    case LogLevel::Debug:
        return "debug";
    case LogLevel::Info:
        return "info";
    case LogLevel::Warn:
        return "warn";
    case LogLevel::Error:
        return "error";
    }
    return "info";
}

std::string formatRfc3339Micros(std::chrono::system_clock::time_point time)
{
    long long micros = 0;
    const std::tm tm = utc(time, micros);
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, ".%06lldZ", micros);
    return dateTime(tm) + fraction;
}

std::string formatRfc3339Seconds(std::chrono::system_clock::time_point time)
{
    long long micros = 0;
    return dateTime(utc(time, micros)) + 'Z';
}

std::string formatGoDuration(std::chrono::nanoseconds duration)
{
    long long ns = duration.count();
    std::string sign;
    if (ns < 0) {
        sign = "-";
        ns = -ns;
    }
    if (ns == 0) {
        return "0s";
    }
    if (ns < 1'000) {
        return sign + std::to_string(ns) + "ns";
    }
    if (ns < 1'000'000) {
        return sign + withFraction(ns / 1'000, ns % 1'000, 3, "µs");
    }
    if (ns < 1'000'000'000) {
        return sign + withFraction(ns / 1'000'000, ns % 1'000'000, 6, "ms");
    }
    const long long totalSeconds = ns / 1'000'000'000;
    const long long fraction = ns % 1'000'000'000;
    const long long hours = totalSeconds / 3600;
    const long long minutes = (totalSeconds % 3600) / 60;
    const long long seconds = totalSeconds % 60;
    std::string out = sign;
    if (hours > 0) {
        out += std::to_string(hours) + 'h';
    }
    if (hours > 0 || minutes > 0) {
        out += std::to_string(minutes) + 'm';
    }
    return out + withFraction(seconds, fraction, 9, "s");
}

std::string LogLine::toString() const
{
    std::string out = formatRfc3339Micros(time);
    out += '\t';
    out += logLevelName(level);
    out += '\t';
    if (!scope.empty()) {
        out += scope;
        out += '\t';
    }
    out += message;
    return out;
}

ControlPlaneLog::ControlPlaneLog(Clock clock, std::size_t capacity)
    : m_clock(std::move(clock)), m_capacity(capacity == 0 ? 1 : capacity)
{
}

void ControlPlaneLog::setClock(Clock clock)
{
    m_clock = std::move(clock);
}

std::chrono::system_clock::time_point ControlPlaneLog::now() const
{
    return m_clock ? m_clock() : std::chrono::system_clock::now();
}

void ControlPlaneLog::write(LogLevel level, std::string scope, std::string message)
{
    m_lines.push_back({now(), level, std::move(scope), std::move(message)});
    ++m_total;
    while (m_lines.size() > m_capacity) {
        m_lines.pop_front();
    }
}

std::string ControlPlaneLog::text() const
{
    std::string out;
    for (const LogLine &line : m_lines) {
        out += line.toString();
        out += '\n';
    }
    return out;
}

void ControlPlaneLog::clear()
{
    m_lines.clear();
}

} // namespace meshcraft::core::xds
