// libmosquitto 2.0 client API, wrapped by Sources/MQTTBridge (the only importer, STYLE.md §1).
#ifndef STARLING_CMOSQUITTO_SHIM_H
#define STARLING_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#endif
