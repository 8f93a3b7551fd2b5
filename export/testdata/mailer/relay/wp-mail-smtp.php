<?php
// Settings for sending from crm@example.net, written by mailwiz.
// Paste these lines into wp-config.php above the line "That's all, stop editing!".
define( 'WPMS_ON', true );
define( 'WPMS_MAIL_FROM', 'crm@example.net' );
define( 'WPMS_MAIL_FROM_FORCE', true );
define( 'WPMS_MAILER', 'smtp' );
define( 'WPMS_SET_RETURN_PATH', true );
define( 'WPMS_SMTP_HOST', 'relay.example.net' );
define( 'WPMS_SMTP_PORT', 587 );
define( 'WPMS_SSL', 'tls' );
define( 'WPMS_SMTP_AUTOTLS', true );
define( 'WPMS_SMTP_AUTH', false );
