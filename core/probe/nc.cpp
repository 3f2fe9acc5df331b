// SPDX-License-Identifier: GPL-3.0-or-later
// busybox 1.36.1 nc with NC_110_COMPAT (networking/nc_bloaty.c): outbound connects only.

#include "core/probe/detail/busybox.h"
#include "core/probe/detail/session_io.h"

#include <sys/socket.h>

namespace meshcraft::core::probe::detail {

namespace {

constexpr std::string_view NcUsage = "Usage: nc [OPTIONS] HOST PORT  - connect\n"
                                     "nc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen\n"
                                     "\n"
                                     "\t-e PROG\tRun PROG after connect (must be last)\n"
                                     "\t-l\tListen mode, for inbound connects\n"
                                     "\t-lk\tWith -e, provides persistent server\n"
                                     "\t-p PORT\tLocal port\n"
                                     "\t-s ADDR\tLocal address\n"
                                     "\t-w SEC\tTimeout for connects and final net reads\n"
                                     "\t-i SEC\tDelay interval for lines sent\n"
                                     "\t-n\tDon't do DNS resolution\n"
                                     "\t-u\tUDP mode\n"
                                     "\t-v\tVerbose\n"
                                     "\t-o FILE\tHex dump traffic\n"
                                     "\t-z\tZero-I/O mode (scanning)\n";

struct NcOptions
{
    int verbose = 0;
    bool zero = false;
    std::vector<std::string> operands;
};

/// getopt32 "np:s:uvw:+i:o:z" with at most two operands; false on a usage error. Options that
/// take a value are accepted and ignored (listening, UDP and hex dumps are not simulated).
bool parse(const std::vector<std::string> &args, NcOptions &options)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        if (arg.size() < 2 || arg[0] != '-') {
            options.operands.push_back(arg);
            continue;
        }
        for (std::size_t j = 1; j < arg.size(); ++j) {
            const char c = arg[j];
            if (c == 'v') {
                ++options.verbose;
            } else if (c == 'z') {
                options.zero = true;
            } else if (c == 'n') {
                continue;
            } else if (c == 'p' || c == 's' || c == 'w' || c == 'i' || c == 'o') {
                if (j + 1 == arg.size() && ++i >= args.size()) {
                    return false; // the value is the next argument, and it is missing
                }
                break;
            } else {
                return false;
            }
        }
    }
    return !options.operands.empty() && options.operands.size() <= 2;
}

} // namespace

void runNc(SessionIo &io)
{
    NcOptions options;
    if (!parse(io.args(), options)) {
        showBusyboxUsage(io, NcUsage);
        return;
    }
    const std::string &host = options.operands[0];
    const std::uint16_t port =
        lookupPort(options.operands.size() > 1 ? options.operands[1] : "", 0);
    auto connection = io.connect(host, port);
    const auto dotted = [&] { return io.result().destination.toString(); };
    if (!connection) {
        // A refusal is quiet at one -v; any failure speaks at two (nc_main).
        const bool quiet = options.verbose == 0 ||
                           (options.verbose == 1 && connection.error().code == "net.refused");
        if (connection.error().code == "net.bad-address") {
            failConnect(io, "nc", connection.error(), {});
            return;
        }
        if (!quiet) {
            io.err("nc: " + host + " (" + dotted() + "): " + connection.error().message + '\n');
        }
        if (options.verbose > 1) {
            io.err("sent 0, rcvd 0\n");
        }
        io.result().trace.complete = true;
        io.finish(outcomeOf(connection.error()), 1);
        return;
    }
    if (options.verbose > 0) {
        io.err(host + " (" + dotted() + ") open\n");
    }
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    auto end = [&](ProbeOutcome outcome, int status) {
        if (options.verbose > 1 && status != 130) {
            io.err("sent " + std::to_string(sent) + ", rcvd " + std::to_string(received) + '\n');
        }
        io.closeAndTrace(*connection);
        io.finish(outcome, status);
    };
    if (options.zero) {
        end(ProbeOutcome::Connected, 0);
        return;
    }
    // nc exits once both stdin and the network are closed (busybox >= 1.22).
    bool stdinOpen = true;
    bool netOpen = true;
    bool peerClosed = false;
    while (stdinOpen || netOpen) {
        const auto [netReady, inputReady] = io.wait(netOpen ? connection->fd : -1);
        if (netReady && netOpen) {
            char buffer[8192];
            const auto n = ::recv(connection->fd, buffer, sizeof buffer, 0);
            if (n <= 0) {
                netOpen = false;
                peerClosed = true;
            } else {
                received += static_cast<std::uint64_t>(n);
                io.out(std::string_view(buffer, static_cast<std::size_t>(n)));
            }
        }
        while (inputReady) {
            auto input = io.takeInput();
            if (!input) {
                break;
            }
            if (input->kind == Input::Kind::Cancel || input->kind == Input::Kind::Interrupt) {
                // SIGINT: catch() says "punt!" and nc dies of the signal (unverified text).
                if (input->kind == Input::Kind::Interrupt) {
                    if (options.verbose > 1) {
                        io.err("sent " + std::to_string(sent) + ", rcvd " +
                               std::to_string(received) + '\n');
                    }
                    io.err("punt!\n");
                }
                end(ProbeOutcome::Interrupted, 130);
                return;
            }
            if (!stdinOpen) {
                continue;
            }
            if (input->kind == Input::Kind::Eof) {
                stdinOpen = false;
                ::shutdown(connection->fd, SHUT_WR); // let the peer know: no more data
                continue;
            }
            const std::string line = input->text + '\n';
            const auto n = ::send(connection->fd, line.data(), line.size(), MSG_NOSIGNAL);
            if (n < 0 && !netOpen) {
                // Writing after the peer closed: busybox retries, then gives up.
                io.err("nc: too many output retries\n");
                end(ProbeOutcome::ClosedByPeer, 1);
                return;
            }
            sent += n > 0 ? static_cast<std::uint64_t>(n) : 0;
        }
    }
    end(peerClosed ? ProbeOutcome::ClosedByPeer : ProbeOutcome::Connected, 0);
}

} // namespace meshcraft::core::probe::detail
