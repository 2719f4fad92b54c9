/** Just enough typing of the untyped @liamcottle/meshcore.js (dev dependency) for the fidelity test. */
declare module '@liamcottle/meshcore.js' {
  export class Connection {
    on(event: string | number, listener: (...args: any[]) => void): void;
    off(event: string | number, listener: (...args: any[]) => void): void;
    once(event: string | number, listener: (...args: any[]) => void): void;
    connect(): Promise<void>;
    close(): Promise<void> | void;
    deviceQuery(appTargetVer: number): Promise<any>;
    getSelfInfo(timeoutMillis?: number | null): Promise<any>;
    getContacts(): Promise<any[]>;
    addOrUpdateContact(publicKey: Uint8Array, type: number, flags: number, outPathLen: number, outPath: Uint8Array, advName: string, lastAdvert: number, advLat: number, advLon: number): Promise<void>;
    removeContact(publicKey: Uint8Array): Promise<void>;
    sendTextMessage(publicKey: Uint8Array, text: string, type?: number): Promise<{ result: number; expectedAckCrc: number; estTimeout: number }>;
    sendChannelTextMessage(channelIdx: number, text: string): Promise<void>;
    syncNextMessage(): Promise<any>;
    getWaitingMessages(): Promise<any[]>;
    getChannel(idx: number): Promise<{ channelIdx: number; name: string; secret: Uint8Array }>;
    setChannel(idx: number, name: string, secret: Uint8Array): Promise<void>;
    getDeviceTime(): Promise<{ epochSecs: number }>;
    setDeviceTime(epochSecs: number): Promise<void>;
    getBatteryVoltage(): Promise<{ batteryMilliVolts: number }>;
    setAdvertLatLong(lat: number, lon: number): Promise<void>;
    exportContact(publicKey?: Uint8Array | null): Promise<{ advertPacketBytes: Uint8Array }>;
    importContact(advertPacketBytes: Uint8Array): Promise<void>;
    getStats(type: number): Promise<{ type: number; raw: Uint8Array; data: any }>;
  }
  export class TCPConnection extends Connection {
    constructor(host: string, port: number);
  }
  export class NodeJSSerialConnection extends Connection {
    constructor(path: string);
  }
  export class Packet {
    static fromBytes(bytes: Uint8Array): Packet;
    payload_type: number;
    route_type: number;
    payload: Uint8Array;
    getPathHashCount(): number;
  }
  export class Advert {
    static fromBytes(bytes: Uint8Array): Advert;
    isVerified(): Promise<boolean>;
    getType(): number;
    timestamp: number;
    parsed: { name?: string };
  }
  export const Constants: {
    ResponseCodes: Record<string, number>;
    PushCodes: Record<string, number>;
  };
}
