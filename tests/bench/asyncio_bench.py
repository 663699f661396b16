#!/usr/bin/env python3
# @chapter 05
"""CPython asyncio side of `make bench` (the workloads are described in docs/benchmarks.md).

Usage: asyncio_bench.py WORKLOAD      (A, B1, B2, C, D, E, F, I, J, M, G, GS, GP, H or GM)

One workload per process: tests/bench/run.sh starts a fresh process for every
run. Every workload but F runs twice in its process, a cold pass (the first)
and a warm pass (the same work again); each pass times itself with
time.perf_counter() from just before the first task is created to just after
the last result is awaited and checks its result. The program prints one line
in the format documented at the top of run.sh:

    WORKLOAD key=value key=value ...

Exit status: 0 result right, 1 result wrong (reason on stderr), 2 usage.

This is the only Python in corio: it exists so that corio's figures are
always printed next to asyncio's, measured on the same machine in the same run.
"""

import asyncio
import ctypes
import os
import resource
import socket
import sys
import time

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


# The workloads with a warm pass keep the memory they free, as corio's
# programs do (tests/bench/warm_memory.hpp): glibc's mallopt, M_MMAP_THRESHOLD
# (-3) to 32 MiB and M_TRIM_THRESHOLD (-1) to 1 GiB.
KEEPS_FREED_MEMORY = ("A", "AG", "B1", "B2", "C", "D", "E")


def keep_freed_memory():
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 32 << 20)
        libc.mallopt(-1, 1 << 30)
    except (OSError, AttributeError):
        pass  # not glibc: its allocator has no such settings to make


def fail(msg):
    sys.stderr.write("asyncio_bench: CHECK FAILED: %s\n" % msg)
    sys.exit(1)


def resident_bytes():
    """Resident set size now: second field of /proc/self/statm, in pages."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE_SIZE


def peak_rss_kib():
    """Peak resident set size of this process (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def emit_rates(workload, unit, count, cold, warm):
    """The result line of a rate workload: `count` units in each pass, which
    took `cold` and `warm` seconds."""
    emit(workload, **{"cold_%s_per_s" % unit: count / cold,
                      "warm_%s_per_s" % unit: count / warm,
                      "cold_ms": cold * 1e3, "warm_ms": warm * 1e3})


def emit(workload, **fields):
    parts = [workload]
    for key, value in fields.items():
        if isinstance(value, float):
            parts.append("%s=%.6g" % (key, value))
        else:
            parts.append("%s=%d" % (key, value))
    print(" ".join(parts), flush=True)


# --- A. spawn ---------------------------------------------------------------

A_N = 200_000


async def ret(i):
    return i


async def spawn_pass():
    t0 = time.perf_counter()
    tasks = [asyncio.create_task(ret(i)) for i in range(A_N)]
    results = await asyncio.gather(*tasks)
    t1 = time.perf_counter()
    total = sum(results)
    if total != A_N * (A_N - 1) // 2:
        fail("A: sum %d, expected %d" % (total, A_N * (A_N - 1) // 2))
    return t1 - t0


async def bench_a():
    cold = await spawn_pass()
    warm = await spawn_pass()
    emit_rates("A", "tasks", A_N, cold, warm)


# --- AG. spawn, then one gather ----------------------------------------------
# asyncio's A already awaits its tasks with one gather(*tasks): AG is the same
# work, reported under its own name so that the table has both sides of the
# row where corio gathers too.

async def bench_ag():
    cold = await spawn_pass()
    warm = await spawn_pass()
    emit_rates("AG", "tasks", A_N, cold, warm)


# --- B1. yield, one task ----------------------------------------------------

B1_YIELDS = 1_000_000


async def yielder(n):
    for _ in range(n):
        await asyncio.sleep(0)
    return n


async def lone_yield_pass():
    t0 = time.perf_counter()
    done = await asyncio.create_task(yielder(B1_YIELDS))
    t1 = time.perf_counter()
    if done != B1_YIELDS:
        fail("B1: task returned %d" % done)
    return t1 - t0


async def bench_b1():
    cold = await lone_yield_pass()
    warm = await lone_yield_pass()
    emit_rates("B1", "yields", B1_YIELDS, cold, warm)


# --- B2. yield, many tasks --------------------------------------------------

B2_TASKS = 1000
B2_YIELDS = 1000


async def many_yield_pass():
    t0 = time.perf_counter()
    tasks = [asyncio.create_task(yielder(B2_YIELDS)) for _ in range(B2_TASKS)]
    results = await asyncio.gather(*tasks)
    t1 = time.perf_counter()
    total = sum(results)
    if total != B2_TASKS * B2_YIELDS:
        fail("B2: %d yields, expected %d" % (total, B2_TASKS * B2_YIELDS))
    return t1 - t0


async def bench_b2():
    cold = await many_yield_pass()
    warm = await many_yield_pass()
    emit_rates("B2", "yields", B2_TASKS * B2_YIELDS, cold, warm)


# --- C. timers --------------------------------------------------------------

C_TASKS = 100_000
C_IDEAL_MS = 100


def c_delays(n):
    """d_i = x_{i+1} mod 101 with x_0 = 1, x_{i+1} = 48271 x_i mod (2^31-1)."""
    x = 1
    out = []
    for _ in range(n):
        x = 48271 * x % 2147483647
        out.append(x % 101)
    return out


async def sleeper(i, ms):
    await asyncio.sleep(ms / 1000.0)
    return i


async def timer_pass(delays):
    """One pass over the precomputed delays; returns its wall time in ms."""
    t0 = time.perf_counter()
    tasks = [asyncio.create_task(sleeper(i, d)) for i, d in enumerate(delays)]
    results = await asyncio.gather(*tasks)
    t1 = time.perf_counter()
    if sum(results) != C_TASKS * (C_TASKS - 1) // 2:
        fail("C: wrong results")
    return (t1 - t0) * 1e3


async def bench_c():
    delays = c_delays(C_TASKS)
    if delays[:5] != [94, 16, 99, 7, 60]:
        fail("C: first delays %r" % (delays[:5],))
    if max(delays) != C_IDEAL_MS:
        fail("C: longest delay %d ms, expected %d" % (max(delays), C_IDEAL_MS))
    cold_ms = await timer_pass(delays)
    warm_ms = await timer_pass(delays)
    # ru_maxrss is the whole process's peak: one figure for both passes.
    emit("C", cold_over_ms=cold_ms - C_IDEAL_MS,
         warm_over_ms=warm_ms - C_IDEAL_MS, peak_rss_kib=peak_rss_kib(),
         cold_wall_ms=cold_ms, warm_wall_ms=warm_ms)


# --- D. queue ---------------------------------------------------------------

D_ITEMS = 1_000_000
D_CONSUMERS = 4


async def consumer(q):
    total = 0
    while True:
        item = await q.get()
        if item == -1:
            return total
        total += item


async def producer(q):
    for i in range(D_ITEMS):
        await q.put(i)
    for _ in range(D_CONSUMERS):
        await q.put(-1)


async def queue_pass():
    q = asyncio.Queue(maxsize=100)
    t0 = time.perf_counter()
    consumers = [asyncio.create_task(consumer(q)) for _ in range(D_CONSUMERS)]
    prod = asyncio.create_task(producer(q))
    sums = await asyncio.gather(*consumers)
    await prod
    t1 = time.perf_counter()
    if sum(sums) != D_ITEMS * (D_ITEMS - 1) // 2:
        fail("D: total %d, expected %d" % (sum(sums), D_ITEMS * (D_ITEMS - 1) // 2))
    return t1 - t0


async def bench_d():
    cold = await queue_pass()
    warm = await queue_pass()
    emit_rates("D", "items", D_ITEMS, cold, warm)


# --- E. semaphore -----------------------------------------------------------

E_TASKS = 10_000
E_PERMITS = 10


class Holders:
    def __init__(self):
        self.now = 0
        self.peak = 0


async def holder(sem, h):
    await sem.acquire()
    h.now += 1
    if h.now > h.peak:
        h.peak = h.now
    await asyncio.sleep(0)
    h.now -= 1
    sem.release()
    return 1


async def semaphore_pass():
    sem = asyncio.Semaphore(E_PERMITS)
    h = Holders()
    t0 = time.perf_counter()
    tasks = [asyncio.create_task(holder(sem, h)) for _ in range(E_TASKS)]
    results = await asyncio.gather(*tasks)
    t1 = time.perf_counter()
    if sum(results) != E_TASKS:
        fail("E: %d acquisitions, expected %d" % (sum(results), E_TASKS))
    if h.peak != E_PERMITS:
        fail("E: peak holders %d, expected exactly %d" % (h.peak, E_PERMITS))
    return t1 - t0


async def bench_e():
    cold = await semaphore_pass()
    warm = await semaphore_pass()
    # Both passes checked that the peak was exactly E_PERMITS.
    emit("E", cold_acq_per_s=E_TASKS / cold, warm_acq_per_s=E_TASKS / warm,
         peak_holders=E_PERMITS, cold_ms=cold * 1e3, warm_ms=warm * 1e3)


# --- F. memory --------------------------------------------------------------

F_TASKS = 100_000


async def waiter(event):
    await event.wait()
    return 1


async def bench_f():
    event = asyncio.Event()
    before = resident_bytes()
    t0 = time.perf_counter()
    tasks = [asyncio.create_task(waiter(event)) for _ in range(F_TASKS)]
    await asyncio.sleep(0)  # every task runs up to event.wait() and suspends
    after = resident_bytes()
    if any(t.done() for t in tasks):
        fail("F: a task finished before the event was set")
    event.set()
    results = await asyncio.gather(*tasks)
    t1 = time.perf_counter()
    if sum(results) != F_TASKS:
        fail("F: %d tasks returned, expected %d" % (sum(results), F_TASKS))
    emit("F", bytes_per_task=(after - before) / F_TASKS,
         rss_before_kib=before // 1024, rss_after_kib=after // 1024,
         ms=(t1 - t0) * 1e3)


# --- I. echo round trips (chapter 12) ---------------------------------------

I_ROUND_TRIPS = 100_000
I_SIZE = 64


async def echo_handler(reader, writer):
    while True:
        data = await reader.read(65536)
        if not data:
            break
        writer.write(data)
        await writer.drain()
    writer.close()


async def echo_pass():
    """One pass of I on a fresh connection to an echo server in this loop."""
    server = await asyncio.start_server(echo_handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    message = bytes(range(I_SIZE))
    t0 = time.perf_counter()
    for _ in range(I_ROUND_TRIPS):
        writer.write(message)
        await writer.drain()
        back = await reader.readexactly(I_SIZE)
        if back != message:
            fail("I: the echo differs from what was sent")
    t1 = time.perf_counter()
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()
    return t1 - t0


async def bench_i():
    cold = await echo_pass()
    warm = await echo_pass()
    emit_rates("I", "rt", I_ROUND_TRIPS, cold, warm)


# --- J. stream throughput (chapter 12) --------------------------------------

J_TOTAL = 1 << 30
J_CHUNK = 64 * 1024


async def throughput_pass():
    """One pass of J: 1 GiB from a client to a server that counts it."""
    done = asyncio.get_running_loop().create_future()

    async def sink(reader, writer):
        total = 0
        while True:
            data = await reader.read(1 << 20)
            if not data:
                break
            total += len(data)
        writer.close()
        done.set_result(total)

    server = await asyncio.start_server(sink, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    chunk = b"x" * J_CHUNK
    t0 = time.perf_counter()
    for _ in range(J_TOTAL // J_CHUNK):
        writer.write(chunk)
        await writer.drain()
    writer.close()
    total = await done
    t1 = time.perf_counter()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()
    if total != J_TOTAL:
        fail("J: the server counted %d bytes, expected %d" % (total, J_TOTAL))
    return t1 - t0


async def bench_j():
    cold = await throughput_pass()
    warm = await throughput_pass()
    gib = J_TOTAL / (1 << 30)
    emit("J", cold_gib_per_s=gib / cold, warm_gib_per_s=gib / warm, cold_ms=cold * 1e3, warm_ms=warm * 1e3)


# --- M. memory per connection (chapter 12) ----------------------------------

M_CONNECTIONS = 2000


async def bench_m():
    """Resident set per open stream connection: the server's StreamReader,
    StreamWriter (with their transport and protocol) and handler task,
    waiting in readline(). The clients are bare sockets."""
    loop = asyncio.get_running_loop()
    waiting = 0
    all_waiting = loop.create_future()

    async def handler(reader, writer):
        nonlocal waiting
        waiting += 1
        if waiting == M_CONNECTIONS:
            all_waiting.set_result(None)
        line = await reader.readline()
        writer.write(line)
        await writer.drain()
        writer.close()

    # Between the two measures: the server's side of every connection, and
    # the client's bare socket (a socket object here, an int in corio).
    server = await asyncio.start_server(handler, "127.0.0.1", 0, backlog=M_CONNECTIONS)
    port = server.sockets[0].getsockname()[1]
    clients = []
    before = resident_bytes()
    for _ in range(M_CONNECTIONS):
        s = socket.socket()
        s.setblocking(False)
        await loop.sock_connect(s, ("127.0.0.1", port))
        clients.append(s)
    await asyncio.wait_for(all_waiting, 30)
    after_first = resident_bytes()
    for s in clients:
        await loop.sock_sendall(s, b"ping\n")
    answered = 0
    for s in clients:
        if await loop.sock_recv(s, 16) == b"ping\n":
            answered += 1
        s.close()
    server.close()
    await server.wait_closed()
    if answered != M_CONNECTIONS:
        fail("M: %d connections answered, expected %d" % (answered, M_CONNECTIONS))
    emit("M", bytes_per_conn=(after_first - before) / M_CONNECTIONS, connections=M_CONNECTIONS)


# --- G, GS, GP. a keep-alive server under wrk (chapter 13) -------------------

G_CONNECTIONS = 100
G_SECONDS = 3
G_WARMUP_SECONDS = 1
G_RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
              b"Hello, World!")


def cpu_seconds():
    """This process's CPU time so far, user + system: the utime and stime of
    /proc/self/stat, through getrusage for microseconds."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def read_pipe(fd):
    """Reads fd to end of file without blocking the loop, then closes it."""
    loop = asyncio.get_running_loop()
    os.set_blocking(fd, False)
    chunks = []
    while True:
        readable = loop.create_future()
        loop.add_reader(fd, readable.set_result, None)
        try:
            await readable
        finally:
            loop.remove_reader(fd)
        try:
            data = os.read(fd, 4096)
        except BlockingIOError:
            continue
        if not data:
            break
        chunks.append(data)
    os.close(fd)
    return b"".join(chunks).decode()


async def run_wrk(workload, port, seconds):
    """wrk -t1 -c100 -dNs against the server on this loop, which keeps
    serving while it waits for wrk's report on a pipe. (requests, seconds,
    this process's CPU seconds meanwhile)."""
    import subprocess
    r, w = os.pipe()
    cpu0 = cpu_seconds()
    try:
        wrk = subprocess.Popen(["wrk", "-t1", "-c%d" % G_CONNECTIONS, "-d%ds" % seconds,
                                "http://127.0.0.1:%d/" % port], stdout=w, stderr=w, stdin=subprocess.DEVNULL)
    except OSError as e:
        fail("%s: cannot start wrk: %s" % (workload, e))
    os.close(w)
    report = await read_pipe(r)
    cpu1 = cpu_seconds()
    if wrk.wait() != 0:
        fail("%s: wrk exited with %d: %s" % (workload, wrk.returncode, report))
    if "Non-2xx" in report or "Socket errors" in report:
        fail("%s: wrk saw errors: %s" % (workload, report))
    for line in report.splitlines():
        if " requests in " in line:
            count, _, rest = line.strip().partition(" requests in ")
            return int(count), float(rest.split("s")[0]), cpu1 - cpu0
    fail("%s: cannot read wrk's report: %s" % (workload, report))


async def check_response(workload, port):
    """One request by hand before the load, twice on one connection: status
    200 and the 13-byte body."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(2):
        writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200 OK\r\n") or b"Content-Length: 13\r\n" not in head:
            fail("%s: the response's head is %r" % (workload, head))
        body = await reader.readexactly(13)
        if body != b"Hello, World!":
            fail("%s: the body is %r" % (workload, body))
    writer.close()
    await writer.wait_closed()


async def measure_server(workload, port):
    await check_response(workload, port)
    await run_wrk(workload, port, G_WARMUP_SECONDS)
    requests, seconds, cpu = await run_wrk(workload, port, G_SECONDS)
    emit(workload, req_per_s=requests / seconds, cpu_per_req_us=cpu / requests * 1e6,
         requests=requests, cpu_ms=cpu * 1e3)


async def stream_responder(reader, writer):
    """The responder on asyncio's streams: readuntil the end of a head, one
    write, drain (asyncio has no HTTP server: this stands for it in G)."""
    try:
        while True:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(G_RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    writer.close()


async def bench_gs(workload="GS"):
    server = await asyncio.start_server(stream_responder, "127.0.0.1", 0)
    await measure_server(workload, server.sockets[0].getsockname()[1])
    server.close()
    await server.wait_closed()


async def bench_g():
    await bench_gs("G")


class Responder(asyncio.Protocol):
    """The responder as a bare Protocol: each head received answered with
    one write."""

    def connection_made(self, transport):
        self.transport = transport
        self.pending = b""

    def data_received(self, data):
        if self.pending:
            data = self.pending + data
        heads = data.count(b"\r\n\r\n")
        if heads:
            self.transport.write(G_RESPONSE * heads)
            data = data[data.rfind(b"\r\n\r\n") + 4:]
        self.pending = data


async def bench_gp():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Responder, "127.0.0.1", 0)
    await measure_server("GP", server.sockets[0].getsockname()[1])
    server.close()
    await server.wait_closed()


# --- H. client fan-out (chapter 13) -----------------------------------------

H_GETS = 1000
H_IN_FLIGHT = 100
H_SYNC_GETS = 100
H_BODY = b"delayed 50 ms"


def corio_server():
    """corio's H server (`corio_bench_http serve`, test_routes() in another
    process): both sides' clients talk to the same server. (process, port)"""
    import subprocess
    binary = os.path.join(os.environ.get("BENCH_BIN") or os.environ.get("CORIO_BENCH_DIR") or "build/bench",
                          "corio_bench_http")
    if not os.access(binary, os.X_OK):
        sys.stderr.write("asyncio_bench: H needs corio's server %s (make bench builds it)\n" % binary)
        sys.exit(2)
    server = subprocess.Popen([binary, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    line = server.stdout.readline().decode()
    if not line.startswith("port "):
        fail("H: the server said %r" % line)
    return server, int(line.split()[1])


def process_cpu_seconds(pid):
    """Another process's CPU time so far, user + system: utime and stime of
    /proc/PID/stat (fields 14 and 15, in clock ticks)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def check_reply(reply):
    head, _, body = reply.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200 ") or body != H_BODY:
        fail("H: the reply was %r" % reply)


async def fan_out_pass(port):
    """1000 GETs of /delay/50, 100 in flight, each on a new connection with
    Connection: close, read to the close; seconds."""
    sem = asyncio.Semaphore(H_IN_FLIGHT)
    request = ("GET /delay/50 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % port).encode()

    async def get():
        async with sem:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            await writer.drain()
            reply = await reader.read()
            writer.close()
            await writer.wait_closed()
            check_reply(reply)

    t0 = time.perf_counter()
    await asyncio.gather(*(get() for _ in range(H_GETS)))
    return time.perf_counter() - t0


def blocking_get(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("GET /delay/50 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % port).encode())
    chunks = []
    while True:
        data = s.recv(65536)
        if not data:
            break
        chunks.append(data)
    s.close()
    check_reply(b"".join(chunks))


async def bench_h():
    server, port = corio_server()
    try:
        cold = await fan_out_pass(port)
        cpu0 = cpu_seconds()
        server_cpu0 = process_cpu_seconds(server.pid)
        warm = await fan_out_pass(port)
        cpu = cpu_seconds() - cpu0
        server_cpu = process_cpu_seconds(server.pid) - server_cpu0
        t0 = time.perf_counter()
        for _ in range(H_SYNC_GETS):
            blocking_get(port)
        sync = (time.perf_counter() - t0) * H_GETS / H_SYNC_GETS
    finally:
        server.stdin.close()
        server.wait()
    emit("H", cold_ms=cold * 1e3, warm_ms=warm * 1e3, sync_extrapolated_ms=sync * 1e3,
         warm_cpu_per_get_us=cpu / H_GETS * 1e6, warm_server_cpu_per_get_us=server_cpu / H_GETS * 1e6)
    print("# H: sync_extrapolated_ms is %d blocking GETs one after another, times %d"
          % (H_SYNC_GETS, H_GETS // H_SYNC_GETS))


# --- GM. memory per idle keep-alive connection (chapter 13) -----------------

GM_CONNECTIONS = 2000


def hold_connections(port, ready_fd, release_fd):
    """In a child process: GM_CONNECTIONS connections, one GET / on each and
    its response read; then one byte to ready_fd and close it, and the
    connections held open until release_fd reaches end of file."""
    request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    clients = []
    for _ in range(GM_CONNECTIONS):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(request)
        clients.append(s)
    for s in clients:
        reply = b""
        while not reply.endswith(b"Hello, World!"):
            data = s.recv(4096)
            if not data:
                os._exit(1)
            reply += data
    os.write(ready_fd, b"r")
    os.close(ready_fd)
    os.read(release_fd, 1)
    os._exit(0)


async def bench_gm():
    """Resident set per idle keep-alive connection of G's server (asyncio's:
    the streams responder), each having answered one request and waiting in
    readuntil() for the next; the clients are in another process."""
    loop = asyncio.get_running_loop()
    open_connections = 0
    all_closed = loop.create_future()

    async def handler(reader, writer):
        nonlocal open_connections
        open_connections += 1
        await stream_responder(reader, writer)
        open_connections -= 1
        if open_connections == 0:
            all_closed.set_result(None)

    server = await asyncio.start_server(handler, "127.0.0.1", 0, backlog=GM_CONNECTIONS)
    port = server.sockets[0].getsockname()[1]
    ready_r, ready_w = os.pipe()
    release_r, release_w = os.pipe()
    before = resident_bytes()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        os.close(release_w)
        hold_connections(port, ready_w, release_r)
    os.close(ready_w)
    os.close(release_r)
    ready = await read_pipe(ready_r)
    after = resident_bytes()
    os.close(release_w)
    _, status = os.waitpid(pid, 0)
    await asyncio.wait_for(all_closed, 30)
    server.close()
    await server.wait_closed()
    if ready != "r" or status != 0:
        fail("GM: the clients' process failed (status %d)" % status)
    emit("GM", bytes_per_conn=(after - before) / GM_CONNECTIONS, connections=GM_CONNECTIONS)


# K: many simultaneous connections (chapter 14). The server here, the
# clients in a child process (this script again, told so by
# ASYNCIO_BENCH_K_CLIENTS), as corio's side does; sizes and steps as in
# tests/bench/corio_bench_conns.cpp.
K_WANTED = 50000
K_ROUNDS = 10
K_CONNECTING = 1000
K_SPARE_FDS = 256


def k_connections_allowed():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = K_WANTED + K_SPARE_FDS
    if soft >= wanted:
        return K_WANTED
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, max(hard, wanted)))
        return K_WANTED
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        return hard - K_SPARE_FDS


def k_sources(connections):
    low, high = 32768, 60999
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        low, high = (int(x) for x in f.read().split())
    per_source = (high - low + 1) // 2
    return (connections + per_source - 1) // per_source


async def k_round_trip(loop, sock):
    await loop.sock_sendall(sock, b"ping\n")
    reply = b""
    while len(reply) < 5:
        part = await loop.sock_recv(sock, 5 - len(reply))
        if not part:
            raise ConnectionError("the server closed the connection before answering")
        reply += part
    if reply != b"pong\n":
        raise RuntimeError("the server answered %r" % reply)


async def k_clients(port, connections):
    loop = asyncio.get_running_loop()
    sources = k_sources(connections)
    connecting = asyncio.Semaphore(K_CONNECTING)
    all_open = asyncio.Event()
    state = {"open": 0, "round_trips": 0, "failed": 0}

    def opened():
        state["open"] += 1
        if state["open"] == connections:
            all_open.set()

    async def client(i):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_BIND_ADDRESS_NO_PORT, 1)
            sock.bind(("127.0.0.%d" % (1 + i % sources), 0))
            async with connecting:
                await loop.sock_connect(sock, ("127.0.0.1", port))
                await k_round_trip(loop, sock)
            state["round_trips"] += 1
            opened()
            await all_open.wait()
            for _ in range(1, K_ROUNDS):
                await k_round_trip(loop, sock)
                state["round_trips"] += 1
        except Exception as e:  # counted, the first one shown
            if state["failed"] == 0:
                sys.stderr.write("K: client %d: %r\n" % (i, e))
            state["failed"] += 1
            opened()
        finally:
            sock.close()

    began = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(connections)))
    seconds = time.perf_counter() - began
    print("%.6f %d %d" % (seconds, state["round_trips"], state["failed"]), flush=True)
    if state["failed"]:
        sys.exit(1)


async def bench_k():
    told = os.environ.get("ASYNCIO_BENCH_K_CLIENTS")
    if told:
        port, connections = (int(x) for x in told.split())
        await k_clients(port, connections)
        return
    connections = k_connections_allowed()
    state = {"open": 0, "peak": 0, "finished": 0, "answered": 0, "rss_at_peak": 0}
    all_finished = asyncio.Event()

    async def answer(reader, writer):
        state["open"] += 1
        state["peak"] = max(state["peak"], state["open"])
        if state["open"] == connections:
            state["rss_at_peak"] = resident_bytes()
        while True:
            line = await reader.readline()
            if not line:
                break
            writer.write(b"pong\n")
            await writer.drain()
            state["answered"] += 1
        writer.close()
        state["open"] -= 1
        state["finished"] += 1
        if state["finished"] == connections:
            all_finished.set()

    baseline = resident_bytes()
    server = await asyncio.start_server(answer, "127.0.0.1", 0, backlog=4096)
    port = server.sockets[0].getsockname()[1]
    env = dict(os.environ, ASYNCIO_BENCH_K_CLIENTS="%d %d" % (port, connections))
    child = await asyncio.create_subprocess_exec(sys.executable, os.path.abspath(__file__), "K", env=env,
                                                 stdout=asyncio.subprocess.PIPE)
    report = await child.stdout.read()
    status = await child.wait()
    if status != 0 or not report:
        fail("K: the clients' process failed (status %d)" % status)
    await asyncio.wait_for(all_finished.wait(), 30)
    server.close()
    await server.wait_closed()
    seconds, round_trips, failed = report.split()
    seconds, round_trips, failed = float(seconds), int(round_trips), int(failed)
    if failed or state["peak"] != connections or round_trips != connections * K_ROUNDS or \
            state["answered"] != round_trips:
        fail("K: %d failed, %d open at once of %d, %d round trips, %d answered" %
             (failed, state["peak"], connections, round_trips, state["answered"]))
    emit("K", connections=connections, time_ms=seconds * 1e3, peak_rss_kib=peak_rss_kib(),
         bytes_per_conn=(state["rss_at_peak"] - baseline) // connections)


WORKLOADS = {
    "A": bench_a, "AG": bench_ag, "B1": bench_b1, "B2": bench_b2, "C": bench_c,
    "D": bench_d, "E": bench_e, "F": bench_f,
    "I": bench_i, "J": bench_j, "M": bench_m,
    "G": bench_g, "GS": bench_gs, "GP": bench_gp, "H": bench_h, "GM": bench_gm,
    "K": bench_k,
}


def main(argv):
    if len(argv) != 2 or argv[1] not in WORKLOADS:
        sys.stderr.write("usage: asyncio_bench.py {%s}\n" % ",".join(WORKLOADS))
        return 2
    if argv[1] in KEEPS_FREED_MEMORY:
        keep_freed_memory()
    asyncio.run(WORKLOADS[argv[1]]())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
