<?php
// Include a wp-mail-smtp export as wp-config.php would and print the
// constants it defined as JSON.
include $argv[1];
echo json_encode(get_defined_constants(true)['user'], JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
