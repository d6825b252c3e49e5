// A node-opcua server on 127.0.0.1 with a few typed variables, for the interop test of
// test_opcua_nodeopcua.py. Usage: node nodeopcua_server.js PORT PKI_FOLDER; prints "ready".
const path = require("path");
const { OPCUAServer } = require("node-opcua-server");
const { Variant, DataType } = require("node-opcua-variant");
const { MessageSecurityMode, SecurityPolicy } = require("node-opcua-secure-channel");
const { OPCUACertificateManager } = require("node-opcua-certificate-manager");

async function main() {
  const port = parseInt(process.argv[2], 10);
  const pki = process.argv[3];
  const serverCertificateManager = new OPCUACertificateManager({
    automaticallyAcceptUnknownCertificate: true,
    rootFolder: path.join(pki, "server"),
  });
  const server = new OPCUAServer({
    port,
    hostname: "127.0.0.1",
    resourcePath: "/interop",
    serverCertificateManager,
    securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256],
    securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
    allowAnonymous: true,
  });
  await server.initialize();
  const ns = server.engine.addressSpace.getOwnNamespace();
  const line = ns.addObject({ organizedBy: server.engine.addressSpace.rootFolder.objects, browseName: "Line", nodeId: "s=Line" });
  const add = (name, dataType, value) => ns.addVariable({
    componentOf: line, browseName: name, nodeId: `s=Line.${name}`, dataType,
    accessLevel: "CurrentRead | CurrentWrite", userAccessLevel: "CurrentRead | CurrentWrite",
    value: new Variant({ dataType: DataType[dataType], value }),
  });
  add("Speed", "Double", 1.5);
  add("Count", "Int32", 7);
  add("Small", "Int16", -5);
  add("Ratio", "Float", 0.5);
  add("Label", "String", "idle");
  add("Running", "Boolean", true);
  await server.start();
  console.log("ready");
  process.on("SIGTERM", async () => { await server.shutdown(100); process.exit(0); });
}
main().catch((err) => { console.error(err); process.exit(1); });
