"""Tests of the companion Magento 2 module (php-module/) and its REST contract."""
