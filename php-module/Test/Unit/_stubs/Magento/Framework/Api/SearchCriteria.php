<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Api\SearchCriteria, used only when Magento is not installed.

namespace Magento\Framework\Api;

class SearchCriteria implements SearchCriteriaInterface
{
    private ?array $filterGroups = null;
    private ?array $sortOrders = null;
    private $pageSize = null;
    private $currentPage = null;

    public function getFilterGroups()
    {
        return $this->filterGroups ?? [];
    }

    public function setFilterGroups(?array $filterGroups = null)
    {
        $this->filterGroups = $filterGroups;
        return $this;
    }

    public function getSortOrders()
    {
        return $this->sortOrders;
    }

    public function setSortOrders(?array $sortOrders = null)
    {
        $this->sortOrders = $sortOrders;
        return $this;
    }

    public function getPageSize()
    {
        return $this->pageSize;
    }

    public function setPageSize($pageSize)
    {
        $this->pageSize = $pageSize;
        return $this;
    }

    public function getCurrentPage()
    {
        return $this->currentPage;
    }

    public function setCurrentPage($currentPage)
    {
        $this->currentPage = $currentPage;
        return $this;
    }
}
