# Add-on template for python3-dbusmock's `bluez5` template (load it with Mock.AddTemplate after start).
#
# Adds what BlueZ does (doc/org.bluez.*.rst) and the stock template (dbusmock/templates/bluez5.py) does not:
# - Properties.PropertiesChanged (and ObjectManager.InterfacesAdded/Removed) declared in introspection, so
#   dbus-next (node-ble) subscribes to them at all;
# - GATT objects of a radio (org.bluez.GattService1 / GattCharacteristic1) under its Device1 object, named the way
#   bluetoothd names them (serviceXXXX/charYYYY, src/gatt-client.c);
# - Device1.Connect/Disconnect/Pair that behave like bluetoothd: Connect fails while the adapter is off
#   (org.bluez.Error.NotReady) or the radio is out of range (org.bluez.Error.Failed), sets Connected and
#   ServicesResolved; Pair asks the registered org.bluez.Agent1 for the passkey (RequestPasskey) and fails with
#   org.bluez.Error.AuthenticationFailed when it does not match, AuthenticationRejected/Canceled when the agent says so
#   (src/device.c, src/agent.c);
# - characteristics that need an encrypted, authenticated link fail while the device is not paired with
#   "Operation failed with ATT error: 0x05" (Insufficient Authentication, src/gatt-client.c), like a radio in
#   FIXED_PIN / MeshCore passkey mode;
# - the device side of the two radios: a FromRadio queue read one protobuf per ReadValue (empty when drained) and a
#   FromNum counter notified as a little-endian u32 (meshtastic firmware src/nimble/NimbleBluetooth.cpp), and
#   Nordic UART TX notifications (MeshCore firmware, one notification per frame).
#
# Control methods live on `/` under org.lattice.RadioMock; the test harness drives them over D-Bus.
import struct

import dbus
import dbus.service
from dbusmock import OBJECT_MANAGER_IFACE, mockobject

DEVICE_IFACE = 'org.bluez.Device1'
ADAPTER_IFACE = 'org.bluez.Adapter1'
AGENT_MANAGER_IFACE = 'org.bluez.AgentManager1'
AGENT_IFACE = 'org.bluez.Agent1'
SERVICE_IFACE = 'org.bluez.GattService1'
CHAR_IFACE = 'org.bluez.GattCharacteristic1'
RADIO_IFACE = 'org.lattice.RadioMock'

# meshtastic firmware src/BluetoothCommon.h
MT_SERVICE = '6ba1b218-15a8-461f-9fa8-5dcae273eafd'
MT_TORADIO = 'f75c76d2-129e-4dad-a1dd-7866124401e7'
MT_FROMRADIO = '2c55e69e-4993-11ed-b878-0242ac120002'
MT_FROMNUM = 'ed9da18c-a800-4f66-a670-aa7547e34453'
# MeshCore firmware: Nordic UART service (helpers/esp32/SerialBLEInterface.h, nrf52/SerialBLEInterface.cpp)
NUS_SERVICE = '6e400001-b5a3-f393-e0a9-e50e24dcca9e'
NUS_RX = '6e400002-b5a3-f393-e0a9-e50e24dcca9e'
NUS_TX = '6e400003-b5a3-f393-e0a9-e50e24dcca9e'

# PhoneAPI.h MAX_TO_FROM_RADIO_SIZE; an ATT value is at most 512 bytes anyway (Core spec Vol 3 Part F 3.2.9).
MAX_ATT_VALUE = 512


@dbus.service.signal(dbus.PROPERTIES_IFACE, signature='sa{sv}as')
def PropertiesChanged(self, interface_name, changed_properties, invalidated_properties):
    pass


# bluetoothd declares the ObjectManager signals too (gdbus/object.c); dbusmock emits them without declaring them.
@dbus.service.signal(OBJECT_MANAGER_IFACE, signature='oa{sa{sv}}')
def InterfacesAdded(self, object_path, interfaces_and_properties):
    pass


@dbus.service.signal(OBJECT_MANAGER_IFACE, signature='oas')
def InterfacesRemoved(self, object_path, interfaces):
    pass


def _err(name, message):
    return dbus.exceptions.DBusException(message, name='org.bluez.Error.' + name)


def _emit(obj, iface, changes):
    for k, v in changes.items():
        obj.props[iface][k] = v
    obj.EmitSignal(dbus.PROPERTIES_IFACE, 'PropertiesChanged', 'sa{sv}as', [iface, changes, []])


def _bool(v):
    return dbus.Boolean(v, variant_level=1)


def _bytes(b):
    return dbus.Array([dbus.Byte(x) for x in b], signature='y', variant_level=1)


def _install(obj, fn):
    '''Installs a dbus-python method on one mock object (dbusmock dispatches by obj.methods), logged like the
    template's own methods so Mock.MethodCalled fires for it.'''
    wrapped = mockobject.loggedmethod(obj, fn)
    obj.methods.setdefault(fn._dbus_interface, {})[fn.__name__] = (
        fn._dbus_in_signature, fn._dbus_out_signature, '', wrapped)


def _radio_of(obj):
    dev = mockobject.objects[obj.device_path]
    return dev, dev.radio


def _check_link(obj, need_auth):
    dev, radio = _radio_of(obj)
    if not radio['connected']:
        raise _err('Failed', 'Not connected')
    if need_auth and radio['pin'] and not dev.props[DEVICE_IFACE]['Paired']:
        raise _err('NotPermitted', 'Operation failed with ATT error: 0x05')
    return dev, radio


def _make_char_methods(kind):
    @dbus.service.method(CHAR_IFACE, in_signature='a{sv}', out_signature='ay')
    def ReadValue(self, options):
        dev, radio = _check_link(self, True)
        if kind == 'fromradio':
            if radio['fromradio']:
                return dbus.ByteArray(bytes(radio['fromradio'].pop(0)))
            return dbus.ByteArray(b'')
        if kind == 'fromnum':
            return dbus.ByteArray(struct.pack('<I', radio['fromnum']))
        raise _err('NotPermitted', 'Read not permitted')

    @dbus.service.method(CHAR_IFACE, in_signature='aya{sv}', out_signature='')
    def WriteValue(self, value, options):
        _check_link(self, True)
        if kind not in ('toradio', 'rx'):
            raise _err('NotPermitted', 'Write not permitted')
        if len(value) > MAX_ATT_VALUE:
            raise _err('InvalidValueLength', 'Invalid Length')
        # The harness hears the bytes through Mock.MethodCalled (path = this characteristic).

    @dbus.service.method(CHAR_IFACE, in_signature='', out_signature='')
    def StartNotify(self):
        _check_link(self, True)
        if kind not in ('fromnum', 'tx'):
            raise _err('NotSupported', 'Operation is not supported')
        _emit(self, CHAR_IFACE, {'Notifying': _bool(True)})

    @dbus.service.method(CHAR_IFACE, in_signature='', out_signature='')
    def StopNotify(self):
        _emit(self, CHAR_IFACE, {'Notifying': _bool(False)})

    return [ReadValue, WriteValue, StartNotify, StopNotify]


def _drop(dev):
    '''The LE link is gone: bluetoothd clears Connected/ServicesResolved and every notify session.'''
    radio = dev.radio
    if not radio['connected']:
        return
    radio['connected'] = False
    radio['fromradio'] = []
    for path in radio['chars'].values():
        ch = mockobject.objects[path]
        if ch.props[CHAR_IFACE]['Notifying']:
            _emit(ch, CHAR_IFACE, {'Notifying': _bool(False)})
    _emit(dev, DEVICE_IFACE, {'ServicesResolved': _bool(False), 'Connected': _bool(False)})


def _make_device_methods():
    @dbus.service.method(DEVICE_IFACE, in_signature='', out_signature='')
    def Connect(self):
        radio = self.radio
        adapter = mockobject.objects[str(self.props[DEVICE_IFACE]['Adapter'])]
        if not adapter.props[ADAPTER_IFACE]['Powered']:
            raise _err('NotReady', 'Resource Not Ready')
        if radio['connect_errors']:
            name, message = radio['connect_errors'].pop(0)
            raise _err(name, message)
        if not radio['in_range']:
            raise _err('Failed', 'le-connection-abort-by-local')
        if radio['connected']:
            raise _err('AlreadyConnected', 'Already Connected')
        radio['connected'] = True
        _emit(self, DEVICE_IFACE, {'Connected': _bool(True)})
        _emit(self, DEVICE_IFACE, {'ServicesResolved': _bool(True)})

    @dbus.service.method(DEVICE_IFACE, in_signature='', out_signature='')
    def Disconnect(self):
        if not self.radio['connected']:
            raise _err('NotConnected', 'Not Connected')
        _drop(self)

    @dbus.service.method(DEVICE_IFACE, in_signature='', out_signature='', async_callbacks=('ok', 'fail'))
    def Pair(self, ok, fail):
        radio = self.radio
        if self.props[DEVICE_IFACE]['Paired']:
            fail(_err('AlreadyExists', 'Already Exists'))
            return
        if not radio['connected'] and not radio['in_range']:
            fail(_err('ConnectionAttemptFailed', 'Page Timeout'))
            return

        def paired():
            _emit(self, DEVICE_IFACE, {'Paired': _bool(True), 'Bonded': _bool(True)})
            ok()

        if not radio['pin']:
            paired()  # "Just Works": no passkey involved
            return
        manager = mockobject.objects['/org/bluez']
        agent = getattr(manager, 'lattice_default_agent', None)
        if agent is None:
            # bluetoothd without an agent cannot answer a passkey request: the radio's SMP times out.
            fail(_err('AuthenticationFailed', 'Authentication Failed'))
            return
        sender, path = agent

        def on_passkey(passkey):
            if int(passkey) == radio['pin']:
                paired()
            else:
                radio['failed_pairings'] += 1
                fail(_err('AuthenticationFailed', 'Authentication Failed'))

        def on_error(e):
            name = e.get_dbus_name() or ''
            if name.endswith('.Rejected'):
                fail(_err('AuthenticationRejected', 'Authentication Rejected'))
            elif name.endswith('.Canceled'):
                fail(_err('AuthenticationCanceled', 'Authentication Canceled'))
            else:
                fail(_err('AuthenticationFailed', 'Authentication Failed'))

        self.connection.call_async(sender, path, AGENT_IFACE, 'RequestPasskey', 'o', [dbus.ObjectPath(self.path)],
                                   on_passkey, on_error, timeout=10.0)

    return [Connect, Disconnect, Pair]


def _make_agent_manager_methods():
    @dbus.service.method(AGENT_MANAGER_IFACE, in_signature='os', out_signature='', sender_keyword='sender')
    def RegisterAgent(self, agent_path, capability, sender=None):
        agents = self.lattice_agents
        if (sender, str(agent_path)) in agents:
            raise _err('AlreadyExists', 'Already Exists')
        if capability not in ('', 'DisplayOnly', 'DisplayYesNo', 'KeyboardOnly', 'NoInputNoOutput', 'KeyboardDisplay'):
            raise _err('InvalidArguments', 'Invalid Arguments in method call')
        agents.append((sender, str(agent_path)))

    @dbus.service.method(AGENT_MANAGER_IFACE, in_signature='o', out_signature='', sender_keyword='sender')
    def RequestDefaultAgent(self, agent_path, sender=None):
        if (sender, str(agent_path)) not in self.lattice_agents:
            raise _err('DoesNotExist', 'Does Not Exist')
        self.lattice_default_agent = (sender, str(agent_path))

    @dbus.service.method(AGENT_MANAGER_IFACE, in_signature='o', out_signature='', sender_keyword='sender')
    def UnregisterAgent(self, agent_path, sender=None):
        key = (sender, str(agent_path))
        if key not in self.lattice_agents:
            raise _err('DoesNotExist', 'Does Not Exist')
        self.lattice_agents.remove(key)
        if self.lattice_default_agent == key:
            self.lattice_default_agent = None

    return [RegisterAgent, RequestDefaultAgent, UnregisterAgent]


def _add_gatt(dev, profile):
    base = dev.path
    if profile == 'meshtastic':
        service_uuid = MT_SERVICE
        chars = [('toradio', MT_TORADIO, ['write', 'encrypt-authenticated-write']),
                 ('fromradio', MT_FROMRADIO, ['read', 'encrypt-authenticated-read']),
                 ('fromnum', MT_FROMNUM, ['read', 'notify', 'encrypt-authenticated-read'])]
    else:
        service_uuid = NUS_SERVICE
        chars = [('rx', NUS_RX, ['write', 'write-without-response', 'encrypt-authenticated-write']),
                 ('tx', NUS_TX, ['notify'])]
    svc_path = base + '/service0010'
    dev.AddObject(svc_path, SERVICE_IFACE, {
        'UUID': dbus.String(service_uuid, variant_level=1),
        'Primary': _bool(True),
        'Device': dbus.ObjectPath(base, variant_level=1),
        'Includes': dbus.Array([], signature='o', variant_level=1),
    }, [])
    paths = {}
    for i, (kind, uuid, flags) in enumerate(chars):
        path = f'{svc_path}/char{0x11 + 3 * i:04x}'
        dev.AddObject(path, CHAR_IFACE, {
            'UUID': dbus.String(uuid, variant_level=1),
            'Service': dbus.ObjectPath(svc_path, variant_level=1),
            'Flags': dbus.Array(flags, signature='s', variant_level=1),
            'Notifying': _bool(False),
            'Value': dbus.Array([], signature='y', variant_level=1),
        }, [])
        ch = mockobject.objects[path]
        ch.device_path = base
        for fn in _make_char_methods(kind):
            _install(ch, fn)
        paths[kind] = path
    return paths


def _notify(char_path, data):
    ch = mockobject.objects[char_path]
    dev = mockobject.objects[ch.device_path]
    if not dev.radio['connected'] or not ch.props[CHAR_IFACE]['Notifying']:
        return
    _emit(ch, CHAR_IFACE, {'Value': _bytes(data)})


def _make_radio_methods():
    @dbus.service.method(RADIO_IFACE, in_signature='sssssnu', out_signature='o')
    def AddRadio(self, adapter, address, name, alias, profile, rssi, pin):
        '''A radio in range: Device1 (advertising `profile`'s service UUID and `name`) plus its GATT objects.'''
        if profile not in ('meshtastic', 'meshcore'):
            raise dbus.exceptions.DBusException('profile must be meshtastic or meshcore', name=RADIO_IFACE + '.BadProfile')
        path = self.AddDevice(adapter, address, alias)
        dev = mockobject.objects[path]
        dev.props[DEVICE_IFACE]['Name'] = dbus.String(name, variant_level=1)
        dev.props[DEVICE_IFACE]['RSSI'] = dbus.Int16(rssi, variant_level=1)
        dev.props[DEVICE_IFACE]['Bonded'] = _bool(False)
        dev.props[DEVICE_IFACE]['UUIDs'] = dbus.Array(
            [MT_SERVICE if profile == 'meshtastic' else NUS_SERVICE], signature='s', variant_level=1)
        dev.radio = {'profile': profile, 'pin': int(pin), 'connected': False, 'in_range': True, 'fromradio': [],
                     'fromnum': 0, 'connect_errors': [], 'failed_pairings': 0, 'chars': {}}
        for fn in _make_device_methods():
            _install(dev, fn)
        dev.radio['chars'] = _add_gatt(dev, profile)
        return dbus.ObjectPath(path)

    @dbus.service.method(RADIO_IFACE, in_signature='os', out_signature='o')
    def CharPath(self, device, kind):
        return dbus.ObjectPath(mockobject.objects[str(device)].radio['chars'][kind])

    @dbus.service.method(RADIO_IFACE, in_signature='oay', out_signature='')
    def PushFromRadio(self, device, data):
        '''The firmware queued one FromRadio: it joins the read queue and FromNum counts up and notifies.'''
        dev = mockobject.objects[str(device)]
        radio = dev.radio
        if not radio['connected']:
            return
        radio['fromradio'].append(bytes(data))
        radio['fromnum'] = (radio['fromnum'] + 1) & 0xffffffff
        _notify(radio['chars']['fromnum'], struct.pack('<I', radio['fromnum']))

    @dbus.service.method(RADIO_IFACE, in_signature='oay', out_signature='')
    def NotifyValue(self, char, data):
        '''One notification on a characteristic, delivered only while the client subscribed (CCCD written).'''
        _notify(str(char), bytes(data))

    @dbus.service.method(RADIO_IFACE, in_signature='ob', out_signature='')
    def SetInRange(self, device, in_range):
        '''Out of range: the link drops (supervision timeout) and connection attempts fail.'''
        dev = mockobject.objects[str(device)]
        dev.radio['in_range'] = bool(in_range)
        if not in_range:
            _drop(dev)

    @dbus.service.method(RADIO_IFACE, in_signature='o', out_signature='')
    def DropLink(self, device):
        '''The radio resets or closes the link; it stays in range and can be reconnected.'''
        _drop(mockobject.objects[str(device)])

    @dbus.service.method(RADIO_IFACE, in_signature='oss', out_signature='')
    def FailNextConnect(self, device, name, message):
        mockobject.objects[str(device)].radio['connect_errors'].append((str(name), str(message)))

    @dbus.service.method(RADIO_IFACE, in_signature='sb', out_signature='')
    def SetPowered(self, adapter, powered):
        '''Adapter power (rfkill, `bluetoothctl power off`): powering off drops every link (src/adapter.c).'''
        path = '/org/bluez/' + adapter
        ad = mockobject.objects[path]
        if not powered:
            for p, obj in list(mockobject.objects.items()):
                if p.startswith(path + '/') and hasattr(obj, 'radio'):
                    _drop(obj)
        _emit(ad, ADAPTER_IFACE, {'Powered': _bool(bool(powered))})

    @dbus.service.method(RADIO_IFACE, in_signature='o', out_signature='u')
    def FailedPairings(self, device):
        return dbus.UInt32(mockobject.objects[str(device)].radio['failed_pairings'])

    return [AddRadio, CharPath, PushFromRadio, NotifyValue, SetInRange, DropLink, FailNextConnect, SetPowered, FailedPairings]


def load(mock, _parameters):
    for key, ifaces in mockobject.DBusMockObject._dbus_class_table.items():
        if key.endswith('DBusMockObject'):
            ifaces.setdefault(dbus.PROPERTIES_IFACE, {})['PropertiesChanged'] = PropertiesChanged
            ifaces.setdefault(OBJECT_MANAGER_IFACE, {})['InterfacesAdded'] = InterfacesAdded
            ifaces.setdefault(OBJECT_MANAGER_IFACE, {})['InterfacesRemoved'] = InterfacesRemoved
    root = mockobject.objects['/']
    for fn in _make_radio_methods():
        _install(root, fn)
    manager = mockobject.objects['/org/bluez']
    manager.lattice_agents = []
    manager.lattice_default_agent = None
    for fn in _make_agent_manager_methods():
        _install(manager, fn)
