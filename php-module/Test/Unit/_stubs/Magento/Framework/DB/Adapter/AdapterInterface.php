<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\DB\Adapter\AdapterInterface, used only when Magento is not installed.

namespace Magento\Framework\DB\Adapter;

interface AdapterInterface
{
    public const INSERT_ON_DUPLICATE = 1;
    public const INSERT_IGNORE = 2;

    public function beginTransaction();

    public function commit();

    public function rollBack();

    public function insertOnDuplicate($table, array $data, array $fields = []);

    public function insertMultiple($table, array $data);

    public function insert($table, array $bind);

    public function update($table, array $bind, $where = '');

    public function delete($table, $where = '');

    public function query($sql, $bind = []);

    public function fetchAll($sql, $bind = [], $fetchMode = null);

    public function fetchRow($sql, $bind = [], $fetchMode = null);

    public function fetchCol($sql, $bind = []);

    public function fetchPairs($sql, $bind = []);

    public function fetchOne($sql, $bind = []);

    public function quote($value, $type = null);

    public function quoteInto($text, $value, $type = null, $count = null);
}
