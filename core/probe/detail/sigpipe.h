// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// hiredis writes with write(2), not send(MSG_NOSIGNAL): a write to a socket the peer reset
// would raise SIGPIPE and kill the app. Probe and workload threads block SIGPIPE for their
// lifetime, so the write fails with EPIPE instead, and drain the signal the kernel left
// pending on the thread.

#include <csignal>
#include <ctime>
#include <pthread.h>

namespace meshcraft::core::probe::detail {

inline void blockSigpipeOnThisThread()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

inline void drainSigpipe()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    const timespec zero{0, 0};
    while (sigtimedwait(&set, nullptr, &zero) == SIGPIPE) {
    }
}

} // namespace meshcraft::core::probe::detail
