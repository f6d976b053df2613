<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Api\SearchCriteriaInterface, used only when Magento is not installed.

namespace Magento\Framework\Api;

interface SearchCriteriaInterface
{
    public function getFilterGroups();

    public function setFilterGroups(?array $filterGroups = null);

    public function getSortOrders();

    public function setSortOrders(?array $sortOrders = null);

    public function getPageSize();

    public function setPageSize($pageSize);

    public function getCurrentPage();

    public function setCurrentPage($currentPage);
}
