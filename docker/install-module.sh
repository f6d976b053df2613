#!/bin/bash
# Run once by the Bitnami Magento image after it installed the store (docker-compose.yml mounts this script
# in /docker-entrypoint-init.d): copies the companion module from its read-only mount into app/code and
# enables it. To pick up later changes to php-module/, run this again in the container.
set -euo pipefail
magento_dir=/opt/bitnami/magento
target="$magento_dir/app/code/MagentoIr/IncidentResponse"
rm -rf "$target"
mkdir -p "$target"
cp -R /magento-ir/php-module/. "$target/"
cd "$magento_dir"
php bin/magento module:enable MagentoIr_IncidentResponse
php bin/magento setup:upgrade
php bin/magento cache:flush
# The web server's user owns the store's files in this image.
chown -R daemon:root "$target" generated var
