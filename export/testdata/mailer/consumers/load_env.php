<?php
// Read .env files with phpdotenv, the parser Laravel uses (Debian package
// php-vlucas-phpdotenv), and print {file: {name: value}} as JSON.
require '/usr/share/php/Dotenv/autoload.php';
$out = [];
foreach (array_slice($argv, 1) as $file) {
    $out[$file] = Dotenv\Dotenv::createArrayBacked(dirname($file), basename($file))->load();
}
echo json_encode($out, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
