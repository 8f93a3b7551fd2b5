// Send one message with Nodemailer, configured from a mailwiz nodemailer
// export. usage: node send_nodemailer.js NODEMAILER_DIR FILE.json CA.pem TO SUBJECT
// The password comes from MAILWIZ_TEST_PASSWORD; auth.pass in the file must
// be empty. The test CA is the only one trusted (tls.ca).
'use strict';
const fs = require('fs');
const path = require('path');
const [dir, file, ca, to, subject] = process.argv.slice(2);
const nodemailer = require(path.join(dir, 'node_modules', 'nodemailer'));
const opts = JSON.parse(fs.readFileSync(file, 'utf8'));
if (!opts.auth || opts.auth.pass !== '') {
    console.error('auth.pass is missing or not empty in the file');
    process.exit(2);
}
opts.auth.pass = process.env.MAILWIZ_TEST_PASSWORD;
opts.tls = { ca: [fs.readFileSync(ca)] };
opts.connectionTimeout = opts.greetingTimeout = opts.socketTimeout = 15000;
nodemailer
    .createTransport(opts)
    .sendMail({ from: opts.auth.user, to, subject, text: "Sent by Nodemailer with mailwiz's nodemailer export." })
    .then(
        info => console.log(JSON.stringify({ accepted: info.accepted, version: require(path.join(dir, 'node_modules', 'nodemailer', 'package.json')).version })),
        err => {
            console.error(err.message);
            process.exit(1);
        }
    );
