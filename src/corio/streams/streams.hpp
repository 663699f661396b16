// @chapter 12
// Chapter 12's streams and transports, in one include.
#pragma once

#include <corio/streams/server.hpp>
#include <corio/streams/stream_reader.hpp>
#include <corio/streams/stream_writer.hpp>
#include <corio/streams/transport.hpp>
