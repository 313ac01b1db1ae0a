import CMosquitto

extension MQTTClient {
    /// Points libmosquitto's callbacks at `core`. The callbacks are C function pointers (no captures):
    /// each recovers the core from `obj`, copies what the C side lends it, and returns at once, except
    /// the message callback in handler mode, which waits for the handler (`MQTTClientCore.received`).
    static func installCallbacks(on handle: MosquittoHandle, core: MQTTClientCore) {
        let pointer = handle.pointer
        mosquitto_user_data_set(pointer, Unmanaged.passUnretained(core).toOpaque())

        mosquitto_connect_with_flags_callback_set(pointer) { _, obj, code, flags in
            guard let obj else { return }
            // §3.2.2.2: bit 0 of the CONNACK acknowledge flags is Session Present.
            Unmanaged<MQTTClientCore>.fromOpaque(obj).takeUnretainedValue()
                .connackReceived(code: code, sessionPresent: flags & 1 != 0)
        }
        mosquitto_disconnect_callback_set(pointer) { _, obj, code in
            guard let obj else { return }
            Unmanaged<MQTTClientCore>.fromOpaque(obj).takeUnretainedValue().disconnected(code: code)
        }
        mosquitto_publish_callback_set(pointer) { _, obj, mid in
            guard let obj else { return }
            Unmanaged<MQTTClientCore>.fromOpaque(obj).takeUnretainedValue().published(mid: mid)
        }
        mosquitto_subscribe_callback_set(pointer) { _, obj, mid, count, granted in
            guard let obj else { return }
            // One filter per SUBSCRIBE, so one granted QoS; 0x80 and up is failure (3.1.1 §3.9.3, 5.0 §3.9.3).
            let grantedQoS = (count > 0 ? granted?.pointee : nil) ?? 0x80
            Unmanaged<MQTTClientCore>.fromOpaque(obj).takeUnretainedValue()
                .subscribed(mid: mid, grantedQoS: grantedQoS)
        }
        mosquitto_log_callback_set(pointer) { _, obj, level, text in
            guard let obj, let text else { return }
            // Called for every debug line too; only errors are kept, so return before copying others.
            guard level & Int32(MOSQ_LOG_ERR) != 0 else { return }
            Unmanaged<MQTTClientCore>.fromOpaque(obj).takeUnretainedValue()
                .libraryLogged(level: level, text: String(cString: text))
        }
        mosquitto_message_callback_set(pointer) { _, obj, message in
            guard let obj, let message else { return }
            // The topic and payload belong to libmosquitto and are freed when this returns: copy now.
            let raw = message.pointee
            let topic = raw.topic.map { String(cString: $0) } ?? ""
            let payload: [UInt8] = if let bytes = raw.payload, raw.payloadlen > 0 {
                Array(UnsafeRawBufferPointer(start: bytes, count: Int(raw.payloadlen)))
            } else {
                []
            }
            Unmanaged<MQTTClientCore>.fromOpaque(obj).takeUnretainedValue()
                .received(MQTTMessage(topic: topic, payload: payload, qos: Int(raw.qos), retain: raw.retain))
        }
    }
}
