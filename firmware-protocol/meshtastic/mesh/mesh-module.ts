/**
 * A module of the node (firmware src/mesh/MeshModule.h, ProtobufModule.h): sees decoded packets for one port, may
 * alter them (alterReceived: traceroute appends its hop before the packet is relayed or delivered), and may answer a
 * request that wants a response (allocReply). The router calls them in order, then the routing step (RoutingModule,
 * always last), then sends the reply or a NO_RESPONSE NAK (MeshModule::callModules).
 */
import type { Mesh, Portnums } from '@meshtastic/protobufs';

export interface MeshModule {
  readonly name: string;
  readonly portnum: Portnums.PortNum;
  /** Also sees packets neither broadcast nor to us (isPromiscuous). */
  readonly promiscuous: boolean;
  /** MeshModule::wantPacket: which decoded packets it sees; default: those of `portnum` (SinglePortModule). */
  wantPacket?(p: Mesh.MeshPacket): boolean;
  /** handleReceived + alterReceived; 'stop' = ProcessMessage::STOP (later modules and routing do not see it). */
  handle?(p: Mesh.MeshPacket): 'stop' | void;
  /**
   * allocReply for a request that wants a response: a decoded packet (payload + portnum; the router addresses it with
   * setReplyTo), 'ignore' when the module deliberately stays silent (rate limit: no NAK is sent), or undefined when it
   * has nothing to answer (the router then NAKs NO_RESPONSE).
   */
  reply?(request: Mesh.MeshPacket): Mesh.MeshPacket | 'ignore' | undefined;
}
