// pick_free_port: asks the kernel for a free TCP port on a host.
//
// cpprestsdk's listener cannot report the port it bound, so "port 0" is resolved before the
// listener starts: bind a socket to port 0, read the port, close it. Another process could take
// the port in between; the listener then fails to start with "address in use", which is reported.
#pragma once

#include <string>

#include "model/result.h"

namespace epc {

Result<int> pick_free_port(const std::string& host);

}  // namespace epc
