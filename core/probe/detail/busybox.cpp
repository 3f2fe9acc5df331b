// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/probe/detail/busybox.h"

#include <charconv>

namespace meshcraft::core::probe::detail {

// The build date is the one of the busybox:1.36.1 image's binary (unverified, tool-outputs 5).
constexpr std::string_view BusyboxBanner =
    "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\n";

void showBusyboxUsage(SessionIo &io, std::string_view usage)
{
    io.err(std::string(BusyboxBanner) + std::string(usage));
    io.finish(ProbeOutcome::Usage, 1);
}

std::uint16_t lookupPort(const std::string &text, std::uint16_t fallback)
{
    unsigned value = 0;
    const char *end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value > 65535) {
        return fallback;
    }
    return static_cast<std::uint16_t>(value);
}

ProbeOutcome outcomeOf(const common::Error &error)
{
    if (error.code == "net.bad-address") {
        return ProbeOutcome::BadAddress;
    }
    if (error.code == "net.refused") {
        return ProbeOutcome::Refused;
    }
    if (error.code == "net.timed-out") {
        return ProbeOutcome::TimedOut;
    }
    return ProbeOutcome::ConnectFailed;
}

void failConnect(SessionIo &io, std::string_view applet, const common::Error &error,
                 const std::function<std::string()> &what)
{
    const std::string prefix = std::string(applet) + ": ";
    if (error.code == "net.bad-address") {
        io.err(prefix + error.message + '\n');
    } else {
        io.err(prefix + what() + ": " + error.message + '\n');
    }
    io.result().trace.complete = true; // no connection, no flow
    io.finish(outcomeOf(error), 1);
}

} // namespace meshcraft::core::probe::detail
