// SPDX-License-Identifier: GPL-3.0-or-later
// A child for tst_core_cloud's orphan test: it creates one Memorystore instance, prints the pid
// and port of its redis-server, and waits to be killed. The test kills it with SIGKILL and
// checks that the server dies with it.
#include "core/cloud/memorystore.h"

#include <cstdio>
#include <unistd.h>

using namespace meshcraft::core::cloud;

int main()
{
    // A safety net, so a helper whose test died early does not wait forever. SIGALRM's default
    // action ends us, and the server follows through its parent-death signal.
    ::alarm(60);

    Memorystore store;
    if (!store.enableService(RedisApi)) {
        return 1;
    }
    CreateInstanceRequest request;
    request.name = "redis-cart";
    request.region = "europe-west1";
    auto created = store.createInstance(request);
    if (!created) {
        std::fprintf(stderr, "%s\n", created.error().message.c_str());
        return 1;
    }
    std::printf("pid %d port %u\n", created->instance.serverPid,
                static_cast<unsigned>(created->instance.loopbackPort));
    std::fflush(stdout);
    for (;;) {
        ::pause();
    }
}
