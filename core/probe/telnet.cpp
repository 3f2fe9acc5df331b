// SPDX-License-Identifier: GPL-3.0-or-later
// busybox 1.36.1 telnet (networking/telnet.c), in line mode, as the learner's terminal drives it.

#include "core/probe/detail/busybox.h"
#include "core/probe/detail/session_io.h"

#include <sys/socket.h>

namespace meshcraft::core::probe::detail {

namespace {

constexpr std::string_view TelnetUsage = "Usage: telnet [-a] [-l USER] HOST [PORT]\n"
                                         "\n"
                                         "Connect to telnet server\n"
                                         "\n"
                                         "\t-a\tAutomatic login with $USER variable\n"
                                         "\t-l USER\tAutomatic login as USER\n";

constexpr std::string_view ConsoleEscapeMenu = "\r\nConsole escape. Commands are:\r\n\n"
                                               " l\tgo to line mode\r\n"
                                               " c\tgo to character mode\r\n"
                                               " z\tsuspend telnet\r\n"
                                               " e\texit telnet\r\n";
constexpr char EscapeChar = 0x1d; // Ctrl+]

/// What telnet's handle_net_output() puts on the wire for typed bytes: CR gets a NUL after it
/// and 0xFF (IAC) is doubled. The tty's line discipline has already turned Enter into '\n'.
std::string toWire(std::string_view typed)
{
    std::string wire;
    wire.reserve(typed.size() + 2);
    for (const char c : typed) {
        wire += c;
        if (c == '\r') {
            wire += '\0';
        } else if (static_cast<unsigned char>(c) == 0xff) {
            wire += c;
        }
    }
    return wire;
}

} // namespace

void runTelnet(SessionIo &io)
{
    std::vector<std::string> operands;
    for (std::size_t i = 0; i < io.args().size(); ++i) {
        const std::string &arg = io.args()[i];
        if (arg == "-a") {
            continue;
        }
        if (arg == "-l") {
            ++i; // the user name; automatic login means nothing to Redis
            if (i >= io.args().size()) {
                showBusyboxUsage(io, TelnetUsage);
                return;
            }
            continue;
        }
        if (arg.size() > 1 && arg[0] == '-') {
            showBusyboxUsage(io, TelnetUsage);
            return;
        }
        operands.push_back(arg);
    }
    if (operands.empty() || operands.size() > 2) {
        showBusyboxUsage(io, TelnetUsage);
        return;
    }
    const std::string &host = operands[0];
    const std::uint16_t port = lookupPort(operands.size() > 1 ? operands[1] : "", 23);

    auto connection = io.connect(host, port);
    if (!connection) {
        failConnect(io, "telnet", connection.error(), [&] {
            return "can't connect to remote host (" + xds::formatIpv4(io.result().destination.ip) +
                   ")";
        });
        return;
    }
    io.setInterruptibleFd(-1);
    io.out("Connected to " + host + "\n");

    bool escapeMenu = false; // the console-escape menu waits for its command character
    auto end = [&](ProbeOutcome outcome, int status) {
        io.closeAndTrace(*connection);
        io.finish(outcome, status);
    };
    for (;;) {
        const auto [netReady, inputReady] = io.wait(connection->fd);
        // busybox polls stdin first, then the socket.
        while (inputReady) {
            auto input = io.takeInput();
            if (!input) {
                break;
            }
            switch (input->kind) {
            case Input::Kind::Cancel:
                end(ProbeOutcome::Interrupted, 130);
                return;
            case Input::Kind::Interrupt:
                // SIGINT only sets a flag; the main loop then opens the console escape.
                io.out(ConsoleEscapeMenu);
                escapeMenu = true;
                continue;
            case Input::Kind::Eof:
                // EOF on stdin: exit 0; EOF while the menu reads its command: exit 1.
                end(ProbeOutcome::Connected, escapeMenu ? 1 : 0);
                return;
            case Input::Kind::Line:
                break;
            }
            std::string typed = input->text + '\n';
            if (escapeMenu) {
                escapeMenu = false;
                if (typed.front() == 'e') {
                    end(ProbeOutcome::Connected, 0);
                    return;
                }
                // Other commands (line/character mode, suspend) have no meaning in this
                // terminal; busybox says "continuing..." and the rest of the line goes on.
                io.out("continuing...\r\n");
                typed.erase(0, 1);
            }
            const auto escape = typed.find(EscapeChar);
            if (escape != std::string::npos) {
                // handle_net_output() stops at ^] and drops the rest of that read.
                io.out(ConsoleEscapeMenu);
                escapeMenu = true;
                continue;
            }
            // Write errors are ignored, as busybox does; the next read sees the close.
            const std::string wire = toWire(typed);
            [[maybe_unused]] const auto n =
                ::send(connection->fd, wire.data(), wire.size(), MSG_NOSIGNAL);
        }
        if (netReady) {
            char buffer[4096];
            const auto n = ::recv(connection->fd, buffer, sizeof buffer, 0);
            if (n <= 0) {
                io.out("Connection closed by foreign host\r\n");
                end(ProbeOutcome::ClosedByPeer, 1);
                return;
            }
            io.out(std::string_view(buffer, static_cast<std::size_t>(n)));
        }
    }
}

} // namespace meshcraft::core::probe::detail
