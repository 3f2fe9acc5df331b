// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/relay/access_log.h"

#include <array>
#include <cstdio>
#include <ctime>

namespace meshcraft::core::relay {

std::string formatResponseFlags(ResponseFlags flags)
{
    // Envoy prints flags in its own fixed order; these are the ones a tcp_proxy sets.
    static constexpr std::array<std::pair<ResponseFlag, const char *>, 5> Names = {{
        {ResponseFlag::NoHealthyUpstream, "UH"},
        {ResponseFlag::UpstreamConnectionFailure, "UF"},
        {ResponseFlag::NoRouteFound, "NR"},
        {ResponseFlag::UpstreamRetryLimitExceeded, "URX"},
        {ResponseFlag::NoClusterFound, "NC"},
    }};
    std::string out;
    for (const auto &[flag, name] : Names) {
        if (hasFlag(flags, flag)) {
            if (!out.empty()) {
                out += ',';
            }
            out += name;
        }
    }
    return out.empty() ? "-" : out;
}

std::string formatStartTime(std::chrono::system_clock::time_point time)
{
    const auto sinceEpoch = time.time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(sinceEpoch);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(sinceEpoch - seconds).count();
    const std::time_t t = static_cast<std::time_t>(seconds.count());
    std::tm utc{};
    gmtime_r(&t, &utc);
    std::array<char, 80> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                  utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                  utc.tm_sec, static_cast<int>(millis));
    return buffer.data();
}

std::string formatAccessLog(const AccessLogEntry &e)
{
    // [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%"
    // %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS%
    // "%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION%
    // %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%"
    // "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER_RAW%
    // %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS%
    // %REQUESTED_SERVER_NAME% %ROUTE_NAME%
    std::string line;
    line.reserve(200);
    line += '[';
    line += formatStartTime(e.startTime);
    line += "] \"- - -\" 0 ";
    line += formatResponseFlags(e.flags);
    line += " - - \"-\" ";
    line += std::to_string(e.bytesReceived);
    line += ' ';
    line += std::to_string(e.bytesSent);
    line += ' ';
    line += std::to_string(e.duration.count());
    line += R"( - "-" "-" "-" "-" ")";
    line += e.upstreamHost ? e.upstreamHost->toString() : "-";
    line += "\" ";
    line += e.upstreamCluster.empty() ? "-" : e.upstreamCluster;
    line += ' ';
    line += e.upstreamLocal ? e.upstreamLocal->toString() : "-";
    line += ' ';
    line += e.downstreamLocal.toString();
    line += ' ';
    line += e.downstreamRemote.toString();
    line += " - -";
    return line;
}

} // namespace meshcraft::core::relay
