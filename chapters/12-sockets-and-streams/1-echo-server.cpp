// An echo server on the loop's socket coroutines (sock_accept, sock_recv, sock_sendall), a task per
// connection; two clients in the same program, the second served while the first is still connected
#include <cstdio>
#include <string>
#include <vector>

#include <corio/corio.hpp>
#include <corio/net/socket.hpp>

int echoed = 0;

// One connection: whatever arrives goes back, until the client shuts its
// writing side (sock_recv returns "").
corio::Coro<> echo(corio::Socket client) {
  for (;;) {
    std::string data = co_await corio::sock_recv(client, 4096);
    if (data.empty()) break;
    co_await corio::sock_sendall(client, data);
    ++echoed;
  }
  std::printf("server: end of file from a client; closes its socket\n");
  client.close();
}

// Accepts `clients` connections, each handled by a task of its own.
corio::Coro<> serve(corio::Socket& listener, int clients) {
  std::vector<corio::Task<>> handlers;
  for (int i = 0; i < clients; ++i) {
    auto [client, peer] = co_await corio::sock_accept(listener);
    handlers.push_back(corio::create_task(echo(std::move(client))));
  }
  for (corio::Task<>& h : handlers) co_await h;
}

corio::Coro<> say(corio::Socket& sock, const char* who, const std::string& word) {
  co_await corio::sock_sendall(sock, word);
  std::string back = co_await corio::sock_recv(sock, 4096);  // a few bytes on loopback arrive whole
  std::printf("%s sent '%s', got back '%s'\n", who, word.c_str(), back.c_str());
}

corio::Coro<> hang_up(corio::Socket& sock, const char* who) {
  sock.shutdown_write();
  std::string rest = co_await corio::sock_recv(sock, 4096);
  std::printf("%s shut down its writing side; then read %zu bytes: the server closed\n", who, rest.size());
}

corio::Coro<> alice(corio::SocketAddress server, corio::Event& greeted, corio::Event& bob_done) {
  corio::Socket sock = corio::Socket::tcp();
  co_await corio::sock_connect(sock, server);
  co_await say(sock, "alice:", "hello");
  greeted.set();
  co_await bob_done.wait();  // still connected while bob is served
  co_await say(sock, "alice:", "world");
  co_await hang_up(sock, "alice:");
}

corio::Coro<> bob(corio::SocketAddress server, corio::Event& greeted, corio::Event& bob_done) {
  co_await greeted.wait();
  corio::Socket sock = corio::Socket::tcp();
  co_await corio::sock_connect(sock, server);
  co_await say(sock, "bob:  ", "ping");
  co_await hang_up(sock, "bob:  ");
  bob_done.set();
}

corio::Coro<> main_coro() {
  corio::Socket listener = corio::Socket::tcp();
  listener.bind(corio::SocketAddress::ip("127.0.0.1", 0));  // port 0: the kernel picks a free one
  listener.listen();
  std::printf("server: listening on 127.0.0.1\n");
  corio::Task<> server = corio::create_task(serve(listener, 2));
  corio::Event greeted, bob_done;
  corio::SocketAddress address = listener.local_address();
  co_await corio::gather(alice(address, greeted, bob_done), bob(address, greeted, bob_done));
  co_await server;
  std::printf("server: %d messages echoed on 2 connections\n", echoed);
}

int main() { corio::run(main_coro()); }
